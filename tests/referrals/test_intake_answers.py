"""Issue 17 item 3: the Connect form asks the program's intake questions; the answers are stored with the
referral as asked and shown at the top of the referral page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from core.errors import InvalidInput
from programs.forms import answer_field_name
from programs.services import program_set_questions
from referrals.models import Referral
from tests import factories


@pytest.fixture
def questions(network):
    return program_set_questions(
        actor=network.claimer,
        program=network.program,
        questions=[
            {
                "kind": "one_choice",
                "text": "Do you rent or own?",
                "text_es": "¿Alquila o es dueño?",
                "help": "Housing status",
                "required": True,
                "choices": ["Rent", "Own"],
                "choices_es": ["Alquilo", "Soy dueño"],
            },
            {"kind": "number", "text": "How many children?", "required": False},
            {"kind": "yes_no", "text": "Has a photo ID?", "required": True},
            {"kind": "several_choices", "text": "Needs", "choices": ["Food", "Rent", "Power"]},
            {"kind": "date", "text": "Move-out date"},
        ],
    )


def name(question):
    return answer_field_name({"id": str(question.public_id)})


def connect_url(program, seeker):
    return reverse("programs:connect", args=[program.public_id]) + f"?seeker={seeker.public_id}"


def valid(questions, **answers):
    housing, children, photo_id, needs, moving = questions
    data = {
        "comment": "Needs groceries.",
        "urgency": "routine",
        "consent": "on",
        "consent_method": "verbal",
        "goal": "",
        name(housing): "Rent",
        name(children): "2",
        name(photo_id): "yes",
        name(needs): ["Food", "Power"],
        name(moving): "",
    }
    data.update(answers)
    return data


def test_the_connect_form_asks_the_questions_below_the_comment(client, network, questions):
    client.force_login(network.referrer)
    html = client.get(connect_url(network.program, network.seeker)).content.decode()
    assert html.index(">Comment</label>") < html.index("Do you rent or own?") < html.index("How many children?")
    assert "Community Food Pantry asks" in html and "(required)" in html and 'type="date"' in html


def test_the_connect_form_asks_in_spanish_when_the_pages_are_in_spanish(client, network, questions):
    client.force_login(network.referrer)
    response = client.get(connect_url(network.program, network.seeker), HTTP_ACCEPT_LANGUAGE="es")
    html = response.content.decode()
    assert "¿Alquila o es dueño?" in html and "Soy dueño" in html
    assert "How many children?" in html  # no Spanish wording given: the English one, marked as English
    assert 'lang="en"' in html


def test_sending_stores_the_answers_as_asked_with_the_referral(client, network, questions):
    client.force_login(network.referrer)
    response = client.post(connect_url(network.program, network.seeker), valid(questions))
    assert response.status_code == 302
    referral = Referral.objects.restrict(network.referrer, "view:all").get(program=network.program)
    assert [(answer["text"], answer["answer"]) for answer in referral.intake_answers] == [
        ("Do you rent or own?", "Rent"),
        ("How many children?", 2),
        ("Has a photo ID?", True),
        ("Needs", ["Food", "Power"]),
        ("Move-out date", None),
    ]
    # A later edit of the questions does not rewrite the answers given.
    program_set_questions(
        actor=network.claimer,
        program=network.program,
        questions=[{"kind": "long_text", "text": "Tell us about the housing", "id": str(questions[0].public_id)}],
    )
    referral.refresh_from_db()
    assert referral.intake_answers[0]["text"] == "Do you rent or own?"
    assert referral.intake_answers[0]["choices"] == ["Rent", "Own"]


@pytest.mark.parametrize(
    "index, value, words",
    [
        (0, "", "Answer this question"),
        (0, "Lease", "choices offered"),
        (1, "two", "Enter a number"),
        (2, "", "Answer this question"),
        (3, ["Food", "Cars"], "choices offered"),
        (4, "next week", "YYYY-MM-DD"),
    ],
)
def test_a_wrong_answer_is_shown_on_its_question_keeps_the_input_and_sends_nothing(
    client, network, questions, index, value, words
):
    client.force_login(network.referrer)
    response = client.post(
        connect_url(network.program, network.seeker), valid(questions, **{name(questions[index]): value})
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert words in form.errors[name(questions[index])][0]
    html = response.content.decode()
    assert "Needs groceries." in html
    assert form[name(questions[index])].value() == value
    assert not Referral.objects.restrict(network.referrer, "view:all").filter(program=network.program).exists()


def test_a_refused_form_keeps_the_chosen_answers(client, network, questions):
    client.force_login(network.referrer)
    response = client.post(connect_url(network.program, network.seeker), valid(questions, consent=""))
    assert response.status_code == 400
    form = response.context["form"]
    assert form[name(questions[0])].value() == "Rent"
    assert form[name(questions[3])].value() == ["Food", "Power"]
    assert 'value="Rent" required' not in response.content.decode()
    assert 'value="Rent"' in response.content.decode()


def test_questions_changed_while_the_form_was_open_are_said_above_it(client, network, questions):
    client.force_login(network.referrer)
    data = valid(questions)
    program_set_questions(
        actor=network.claimer,
        program=network.program,
        questions=[{"kind": "short_text", "text": "A new required question", "required": True}],
    )
    response = client.post(connect_url(network.program, network.seeker), data)
    # The form is built from the questions asked now: the new one is on it, with its message.
    assert response.status_code == 400
    assert "Answer this question" in response.content.decode()
    assert not Referral.objects.restrict(network.referrer, "view:all").filter(program=network.program).exists()


def test_the_service_refuses_wrong_answers_by_question(network, questions):
    with pytest.raises(InvalidInput) as refused:
        network.refer(answers={str(questions[0].public_id): "Castle"})
    assert set(refused.value.errors) == {f"answers.{questions[0].public_id}", f"answers.{questions[2].public_id}"}
    with pytest.raises(InvalidInput):
        network.refer(answers=["Rent"])
    assert not Referral.objects_across_tenants.filter(program=network.program).exists()


def test_a_program_without_questions_takes_no_answers(network):
    with pytest.raises(InvalidInput):
        network.refer(answers={"00000000-0000-0000-0000-000000000000": "x"})
    assert network.refer().intake_answers == []


@pytest.mark.parametrize("who", ["claimer", "referrer", "provider_admin"])
def test_the_claimers_and_the_referrer_see_the_answers_at_the_top(client, network, questions, who):
    referral = network.refer(
        answers={str(questions[0].public_id): "Own", str(questions[2].public_id): False, str(questions[1].public_id): 0}
    )
    client.force_login(getattr(network, who))
    html = client.get(reverse("referrals:detail", args=[referral.public_id])).content.decode()
    assert "Answers to Community Food Pantry" in html
    assert html.index("Do you rent or own?") < html.index("<h3>Comment</h3>")
    for text in ("Own", "Has a photo ID?", "No", "Not answered"):
        assert text in html
    assert "<dd>0</dd>" in html


def test_a_spanish_reader_sees_the_spanish_wording_of_the_answers(network, questions):
    from referrals.views import _intake_answers

    referral = network.refer(answers={str(questions[0].public_id): "Own", str(questions[2].public_id): True})
    with translation.override("es"):
        shown = _intake_answers(referral)
    assert shown[0]["question"] == "¿Alquila o es dueño?" and shown[0]["answer"] == "Soy dueño"
    assert shown[2]["answer"] == "Sí"


def test_the_referral_page_queries_do_not_grow_with_the_questions(client, network, django_assert_max_num_queries):
    few = network.refer()
    client.force_login(network.claimer)
    client.get(reverse("referrals:detail", args=[few.public_id]))  # the first view marks it viewed
    with CaptureQueriesContext(connection) as baseline:
        assert client.get(reverse("referrals:detail", args=[few.public_id])).status_code == 200
    most = len(baseline)  # now: the next request empties the connection's query log
    assert most > 5
    program_set_questions(
        actor=network.claimer,
        program=network.program,
        questions=[{"kind": "short_text", "text": f"Question {number}"} for number in range(12)],
    )
    other_seeker = factories.SeekerFactory(organization=network.site, created_by=network.referrer)
    many = network.refer(seeker=other_seeker, answers={})
    assert len(many.intake_answers) == 12
    client.get(reverse("referrals:detail", args=[many.public_id]))
    with django_assert_max_num_queries(most):
        assert client.get(reverse("referrals:detail", args=[many.public_id])).status_code == 200


# ---- forwarding asks the new program's questions --------------------------------------------------------


@pytest.fixture
def other_questions(network):
    return program_set_questions(
        actor=network.other_claimer,
        program=network.other_program,
        questions=[{"kind": "yes_no", "text": "Can the person come on Saturdays?", "required": True}],
    )


def test_a_claimer_forwarding_answers_the_new_programs_questions(client, network, other_questions):
    original = network.refer()
    client.force_login(network.claimer)
    url = f"{reverse('programs:forward', args=[network.other_program.public_id])}?referral={original.public_id}"
    assert "Can the person come on Saturdays?" in client.get(url).content.decode()
    field = name(other_questions[0])
    refused = client.post(url, {"comment": "KEPT", "consent": "on", "consent_method": "verbal", field: ""})
    assert refused.status_code == 400
    assert "Answer this question" in refused.context["form"].errors[field][0]
    assert "KEPT" in refused.content.decode()
    original.refresh_from_db()
    assert not original.is_closed
    response = client.post(url, {"comment": "Full", "consent": "on", "consent_method": "verbal", field: "yes"})
    assert response.status_code == 302
    forwarded = Referral.objects.unscoped("test").get(forwarded_from=original)
    assert [(answer["text"], answer["answer"]) for answer in forwarded.intake_answers] == [
        ("Can the person come on Saturdays?", True)
    ]


def test_forwarding_through_the_api_takes_answers(network, other_questions):
    from tests.api.conftest import client_for

    original = network.refer()
    api = client_for(network.claimer)
    url = f"/api/v1/referrals/{original.public_id}/forward/"
    body = {"program": str(network.other_program.public_id), "consent": True}
    refused = api.post(url, body, format="json")
    assert refused.status_code == 400
    assert "Answer this question" in refused.json()["answers"][str(other_questions[0].public_id)][0]
    done = api.post(url, {**body, "answers": {str(other_questions[0].public_id): False}}, format="json")
    assert done.status_code == 201, done.json()
    assert done.json()["answers"][0]["answer"] is False
