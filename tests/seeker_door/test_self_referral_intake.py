"""A self-referral asks the program's intake questions (issues 16 and 17): the "Ask them to contact me" form shows
them in the page's language, refuses bad answers on their question keeping the input and storing nothing, keeps
the answers as asked on the pending request, and the confirmed referral carries them to the claimers' page; the
pending answers go with the request (confirmation, expiry, erasure)."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications.models import OutboxMessage
from programs.forms import answer_field_name
from programs.services import program_set_questions
from referrals.models import Referral
from seeker_door.models import SelfReferralRequest
from seekers.models import Seeker

from .test_self_referral import FORM, confirm, sent_code

pytestmark = pytest.mark.django_db


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
                "help_es": "Su vivienda",
                "required": True,
                "choices": ["Rent", "Own"],
                "choices_es": ["Alquilo", "Soy dueño"],
            },
            {"kind": "number", "text": "How many children?", "required": False},
            {
                "kind": "yes_no",
                "text": "Has a photo ID?",
                "text_es": "¿Tiene una identificación con foto?",
                "required": True,
            },
            {"kind": "several_choices", "text": "Needs", "choices": ["Food", "Rent", "Power"]},
            {"kind": "date", "text": "Move-out date"},
        ],
    )


def name(question):
    return answer_field_name({"id": str(question.public_id)})


def answers(questions, **changes):
    housing, children, photo_id, needs, moving = questions
    data = {
        name(housing): "Rent",
        name(children): "2",
        name(photo_id): "yes",
        name(needs): ["Food", "Power"],
        name(moving): "",
    }
    data.update({name(questions[int(index)]): value for index, value in changes.items()})
    return data


def ask_url(program):
    return f"/find/programs/{program.public_id}/ask/"


def spanish(client):
    return Client(HTTP_ACCEPT_LANGUAGE="es")


def self_referrals():
    return Referral.objects.unscoped("test").filter(referred_by__isnull=True)


def test_the_form_asks_the_questions_in_english(network, questions):
    html = Client().get(ask_url(network.program)).content.decode()
    assert "Community Food Pantry asks" in html
    assert html.index("What help do you need?") < html.index("Do you rent or own?") < html.index("Your consent")
    for text in (
        "How many children?",
        "Has a photo ID?",
        "Move-out date",
        "(required)",
        'type="date"',
        "Housing status",
    ):
        assert text in html
    assert "my answers to its questions" in html  # the consent names what goes to the program
    assert 'lang="en"' not in html.split("intake-heading", 1)[1].split("Your consent", 1)[0]


def test_the_form_asks_in_spanish_and_marks_the_english_wording(network, questions):
    client = spanish(Client())
    response = client.get(ask_url(network.program))
    html = response.content.decode()
    assert response.status_code == 200 and '<html lang="es">' in html
    for text in ("Community Food Pantry pregunta", "¿Alquila o es dueño?", "Soy dueño", "Su vivienda", "(obligatoria)"):
        assert text in html
    assert "¿Tiene una identificación con foto?" in html and " Sí</label>" in html
    # No Spanish wording given: the English one, marked as English; "(obligatoria)" stays Spanish.
    assert '<span lang="en">How many children?</span>' in html
    assert '<span lang="en">Needs</span>' in html
    assert "mis respuestas a sus preguntas" in html


def test_answers_are_kept_as_asked_and_the_claimer_sees_them(network, questions, django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ask_url(network.program), {**FORM, **answers(questions)})
    assert response.status_code == 302, response.content.decode()
    row = SelfReferralRequest.objects.get()
    assert [(answer["text"], answer["answer"]) for answer in row.intake_answers] == [
        ("Do you rent or own?", "Rent"),
        ("How many children?", 2),
        ("Has a photo ID?", True),
        ("Needs", ["Food", "Power"]),
        ("Move-out date", None),
    ]
    assert row.intake_answers[0]["text_es"] == "¿Alquila o es dueño?"  # the question as asked, both languages
    assert "my answers to its questions" in row.consent_wording or "mis respuestas" in row.consent_wording

    code, _ = sent_code()
    with django_capture_on_commit_callbacks(execute=True):
        assert confirm(client, network.program, code).status_code == 302
    referral = self_referrals().get()
    assert referral.intake_answers == row.intake_answers
    assert not SelfReferralRequest.objects.exists()

    claimer = Client()
    claimer.force_login(network.claimer)
    html = claimer.get(reverse("referrals:detail", args=[referral.public_id])).content.decode()
    assert "Answers to Community Food Pantry" in html
    assert html.index("Do you rent or own?") < html.index("<h3>Comment</h3>")
    for text in ("Rent", "Has a photo ID?", "Food, Power", "Not answered"):
        assert text in html


def test_spanish_answers_are_read_and_stored_in_english_values(network, questions, django_capture_on_commit_callbacks):
    client = spanish(Client())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            ask_url(network.program), {**FORM, **answers(questions, **{"0": "Soy dueño", "2": "no"})}
        )
    assert response.status_code == 302
    stored = SelfReferralRequest.objects.get().intake_answers
    assert (stored[0]["answer"], stored[2]["answer"]) == ("Own", False)
    assert "mis respuestas a sus preguntas" in SelfReferralRequest.objects.get().consent_wording


BAD_ANSWERS = [
    ({"0": ""}, 0, "Answer this question: the program needs it."),
    ({"2": ""}, 2, "Answer this question: the program needs it."),
    ({"0": "Lease"}, 0, "Choose one of the choices offered."),
    ({"3": ["Food", "Gold"]}, 3, "Choose one of the choices offered."),
    ({"1": "two"}, 1, "Enter a number, like 3 or 2.5."),
    ({"1": "1e400"}, 1, "Enter a number, like 3 or 2.5."),
    ({"2": "maybe"}, 2, "Answer yes or no."),
    ({"4": "31/03/2026"}, 4, "Enter a date as YYYY-MM-DD, like 2026-03-31."),
    ({"4": "2026-02-30"}, 4, "Enter a date as YYYY-MM-DD, like 2026-03-31."),
]


@pytest.mark.parametrize("changes, index, message", BAD_ANSWERS)
def test_a_bad_answer_is_refused_on_its_question_keeps_the_input_and_stores_nothing(
    network, questions, changes, index, message, django_capture_on_commit_callbacks
):
    data = {**FORM, "message": "Necesito <ayuda> pronto", **answers(questions, **changes)}
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(ask_url(network.program), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    # the message sits with its question: after the question's wording, before the next question
    question_text = questions[index].text
    following = html.split(question_text, 1)[1]
    assert message in following.split('class="field intake-question"', 1)[0]
    assert 'value="Elena"' in html and "Necesito &lt;ayuda&gt; pronto" in html
    if index != 0:  # the other answers are kept, the refused one too
        assert re.search(r'value="Rent"[^>]*checked', html)
    if index != 1:
        assert 'value="2"' in html
    else:
        assert f'value="{changes["1"]}"' in html
    if index == 3:
        assert re.search(r'value="Food"[^>]*checked', html)
    assert not SelfReferralRequest.objects.exists()
    assert not OutboxMessage.objects.exists() and not Seeker.objects_across_tenants.filter(first_name="Elena").exists()


def test_a_bad_answer_is_refused_in_spanish_on_a_spanish_page(network, questions):
    response = spanish(Client()).post(ask_url(network.program), {**FORM, **answers(questions, **{"0": ""})})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Responda esta pregunta: el programa la necesita." in html
    assert "Su solicitud no se envió" in html or "no se envió" in html
    assert not SelfReferralRequest.objects.exists()


def test_an_answer_to_a_question_the_program_does_not_ask_changes_nothing(network, questions):
    from core.contacts import Contact
    from seeker_door import services

    with pytest.raises(services.SelfReferralRefused) as refused:
        services.self_referral_request(
            program=network.program,
            first_name="Elena",
            last_name="",
            contact=Contact("email", "elena@example.com"),
            language="es",
            message="",
            answers={"not-a-question": "x", str(questions[0].public_id): "Rent", str(questions[2].public_id): True},
        )
    assert list(refused.value.errors) == ["answers.not-a-question"]
    with pytest.raises(services.SelfReferralRefused):
        services.self_referral_request(
            program=network.program,
            first_name="Elena",
            last_name="",
            contact=Contact("email", "elena@example.com"),
            language="es",
            message="",
            answers=["Rent"],
        )
    assert not SelfReferralRequest.objects.exists() and not OutboxMessage.objects.exists()


def test_questions_changed_before_the_confirmation_leave_the_answers_as_asked(
    network, questions, django_capture_on_commit_callbacks
):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(ask_url(network.program), {**FORM, **answers(questions)}).status_code == 302
    program_set_questions(
        actor=network.claimer,
        program=network.program,
        questions=[{"kind": "short_text", "text": "Your case number", "required": True}],
    )
    code, _ = sent_code()
    with django_capture_on_commit_callbacks(execute=True):
        assert confirm(client, network.program, code).status_code == 302
    referral = self_referrals().get()
    assert [answer["text"] for answer in referral.intake_answers] == [
        "Do you rent or own?",
        "How many children?",
        "Has a photo ID?",
        "Needs",
        "Move-out date",
    ]


def test_questions_changed_while_the_form_was_open_ask_the_new_ones(network, questions):
    client = Client()
    client.get(ask_url(network.program))
    program_set_questions(
        actor=network.claimer,
        program=network.program,
        questions=[{"kind": "short_text", "text": "Your case number", "required": True}],
    )
    response = client.post(ask_url(network.program), {**FORM, **answers(questions)})
    html = response.content.decode()
    assert response.status_code == 400 and "Your case number" in html
    assert "Answer this question: the program needs it." in html and "Do you rent or own?" not in html
    assert not SelfReferralRequest.objects.exists()


def test_a_program_without_questions_asks_none(network):
    html = Client().get(ask_url(network.program)).content.decode()
    assert "intake-heading" not in html and "my answers to its questions" not in html


def test_the_pending_answers_go_with_an_expired_request(network, questions, django_capture_on_commit_callbacks):
    from seeker_door.services import self_referrals_clear_expired

    with django_capture_on_commit_callbacks(execute=True):
        Client().post(ask_url(network.program), {**FORM, **answers(questions)})
    SelfReferralRequest.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert self_referrals_clear_expired() == 1
    assert not SelfReferralRequest.objects.exists()


def test_erasing_the_person_deletes_the_pending_answers(network, questions, django_capture_on_commit_callbacks):
    from core.erasure import Person
    from seeker_door.services import erase_person

    with django_capture_on_commit_callbacks(execute=True):
        Client().post(
            ask_url(network.program),
            {**FORM, "contact": "Elena@Example.com", **answers(questions, **{"3": ["Rent"]})},
        )
    assert SelfReferralRequest.objects.filter(intake_answers__3__answer=["Rent"]).exists()
    erase_person(Person(seeker_id=0, organization_id=0, emails=("elena@example.com",)))
    assert not SelfReferralRequest.objects.exists()
