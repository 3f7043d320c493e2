"""Issue 17 item 3: a program's intake questions, as claimers and admins write them (programs.intake,
programs.services.program_set_questions, the listing's questions page)."""

import pytest
from django.contrib.admin.models import LogEntry

from core.errors import InvalidInput, NotAllowed
from programs.intake import clean_answers, clean_question
from programs.models import IntakeQuestion
from programs.services import program_set_questions


def question(**changes):
    data = {"kind": "short_text", "text": "What is the household's main need?", "required": False}
    data.update(changes)
    return data


@pytest.mark.parametrize(
    "changes, field, words",
    [
        ({"text": ""}, "text", "no wording"),
        ({"text": "   "}, "text", "no wording"),
        ({"text": "x" * 301}, "text", "too long"),
        ({"text": "Bad\x00text"}, "text", "cannot be stored"),
        ({"kind": "essay"}, "kind", "kind of answer"),
        ({"kind": None}, "kind", "kind of answer"),
        ({"kind": "one_choice"}, "choices", "at least two choices"),
        ({"kind": "one_choice", "choices": "Rent"}, "choices", "at least two choices"),
        ({"kind": "several_choices", "choices": ""}, "choices", "at least two choices"),
        ({"kind": "one_choice", "choices": "Rent\nrent"}, "choices", "different"),
        ({"kind": "one_choice", "choices": "Rent\nOwn", "choices_es": "Alquilo"}, "choices_es", "same order"),
        ({"kind": "yes_no", "choices": "Rent\nOwn"}, "choices", "Only"),
        ({"kind": "number", "choices_es": "Uno"}, "choices_es", "Only"),
        ({"help": "h" * 501}, "help", "too long"),
    ],
)
def test_a_question_that_cannot_be_asked_is_refused_on_its_field(changes, field, words):
    _, errors = clean_question(question(**changes))
    assert field in errors and words in errors[field]


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({}, {"text": "What is the household's main need?", "choices": [], "required": False}),
        ({"kind": "one_choice", "choices": " Rent \n\n Own\n"}, {"choices": ["Rent", "Own"]}),
        ({"kind": "several_choices", "choices": ["A", "B"], "choices_es": ["Á", "Bé"]}, {"choices_es": ["Á", "Bé"]}),
        ({"required": "on", "text_es": "¿Qué necesita?"}, {"required": True, "text_es": "¿Qué necesita?"}),
    ],
)
def test_a_good_question_is_cleaned(changes, expected):
    values, errors = clean_question(question(**changes))
    assert errors == {}
    assert {name: values[name] for name in expected} == expected


ASKED = [
    {"id": "t", "kind": "short_text", "required": True, "text": "Name of school", "choices": []},
    {"id": "l", "kind": "long_text", "required": False, "text": "Anything else", "choices": []},
    {"id": "y", "kind": "yes_no", "required": True, "text": "Has a lease?", "choices": []},
    {
        "id": "o",
        "kind": "one_choice",
        "required": False,
        "text": "Housing",
        "choices": ["Rent", "Own"],
        "choices_es": ["Alquilo", "Soy dueño"],
    },
    {"id": "s", "kind": "several_choices", "required": False, "text": "Needs", "choices": ["Food", "Rent", "Power"]},
    {"id": "n", "kind": "number", "required": False, "text": "Children", "choices": []},
    {"id": "d", "kind": "date", "required": False, "text": "Move-out date", "choices": []},
]
GOOD = {"t": "Lincoln", "y": "yes"}


@pytest.mark.parametrize(
    "given, question_id, words",
    [
        ({"y": "yes"}, "t", "Answer this question"),
        ({"t": "   ", "y": "no"}, "t", "Answer this question"),
        ({"t": "Lincoln"}, "y", "Answer this question"),
        ({**GOOD, "y": "maybe"}, "y", "yes or no"),
        ({**GOOD, "y": 3}, "y", "yes or no"),
        ({**GOOD, "t": ["a"]}, "t", "as text"),
        ({**GOOD, "t": "x" * 301}, "t", "too long"),
        ({**GOOD, "l": "bad\x00"}, "l", "cannot be stored"),
        ({**GOOD, "o": "Lease"}, "o", "choices offered"),
        ({**GOOD, "o": ["Rent"]}, "o", "choices offered"),
        ({**GOOD, "s": ["Food", "Cars"]}, "s", "choices offered"),
        ({**GOOD, "n": "three"}, "n", "number"),
        ({**GOOD, "n": True}, "n", "number"),
        ({**GOOD, "n": "1e400"}, "n", "number"),
        ({**GOOD, "n": "NaN"}, "n", "number"),
        ({**GOOD, "d": "31/12/2026"}, "d", "YYYY-MM-DD"),
        ({**GOOD, "d": "2026-02-30"}, "d", "YYYY-MM-DD"),
        ({**GOOD, "d": "1066-10-14"}, "d", "YYYY-MM-DD"),
        ({**GOOD, "d": 20260101}, "d", "YYYY-MM-DD"),
        ({**GOOD, "zzz": "?"}, "zzz", "no such question"),
    ],
)
def test_a_wrong_answer_is_refused_on_its_question(given, question_id, words):
    _, errors = clean_answers(ASKED, given)
    assert question_id in errors and words in errors[question_id]


@pytest.mark.parametrize(
    "given, question_id, stored",
    [
        ({"y": "no"}, "y", False),
        ({"y": True}, "y", True),
        ({"y": "Sí"}, "y", True),
        ({"o": "Own"}, "o", "Own"),
        ({"o": "alquilo"}, "o", "Rent"),  # the Spanish wording of a choice stores the choice itself
        ({"s": ["Power", "Food", ""]}, "s", ["Food", "Power"]),
        ({"s": "Rent"}, "s", ["Rent"]),
        ({"n": "3"}, "n", 3),
        ({"n": 2.5}, "n", 2.5),
        ({"n": "1,200"}, "n", 1200),
        ({"d": "2026-03-31"}, "d", "2026-03-31"),
        ({"l": ""}, "l", None),
        ({"s": []}, "s", None),
    ],
)
def test_a_right_answer_is_stored_with_the_question_as_asked(given, question_id, stored):
    answers, errors = clean_answers(ASKED, {**GOOD, **given})
    assert errors == {}
    answer = next(answer for answer in answers if answer["id"] == question_id)
    assert answer["answer"] == stored
    assert answer["text"] == next(q["text"] for q in ASKED if q["id"] == question_id)


# ---- the service ----------------------------------------------------------------------------------------


def test_a_claimer_sets_the_questions_in_order_and_it_is_recorded(network):
    program_set_questions(
        actor=network.claimer,
        program=network.program,
        questions=[question(text="First"), question(kind="yes_no", text="Second", required=True)],
    )
    stored = list(network.program.intake_questions.order_by("position"))
    assert [(q.text, q.kind, q.required, q.position) for q in stored] == [
        ("First", "short_text", False, 0),
        ("Second", "yes_no", True, 1),
    ]
    assert "2 added" in LogEntry.objects.get(object_id=str(network.program.pk)).change_message
    # Reordered, one changed, one removed, one added.
    program_set_questions(
        actor=network.claimer,
        program=network.program,
        questions=[
            {**question(kind="yes_no", text="Second?", required=True), "id": str(stored[1].public_id)},
            question(kind="number", text="Third"),
        ],
    )
    now = list(network.program.intake_questions.order_by("position"))
    assert [(q.text, q.position) for q in now] == [("Second?", 0), ("Third", 1)]
    assert now[0].public_id == stored[1].public_id


def test_bad_questions_change_nothing(network):
    program_set_questions(actor=network.claimer, program=network.program, questions=[question(text="Kept")])
    with pytest.raises(InvalidInput) as refused:
        program_set_questions(
            actor=network.claimer,
            program=network.program,
            questions=[question(text="New"), question(kind="one_choice", text="Which?")],
        )
    assert "at least two choices" in refused.value.errors["1-choices"][0]
    assert [q.text for q in network.program.intake_questions.all()] == ["Kept"]


def test_another_programs_question_cannot_be_taken_over(network):
    [theirs] = program_set_questions(
        actor=network.other_claimer, program=network.other_program, questions=[question(text="Theirs")]
    )
    with pytest.raises(InvalidInput):
        program_set_questions(
            actor=network.claimer,
            program=network.program,
            questions=[{**question(text="Mine now"), "id": str(theirs.public_id)}],
        )
    assert IntakeQuestion.objects.get(pk=theirs.pk).text == "Theirs"


@pytest.mark.parametrize("who", ["other_claimer", "referrer", "outsider"])
def test_only_the_programs_claimers_and_admins_set_its_questions(network, who):
    with pytest.raises(NotAllowed):
        program_set_questions(actor=getattr(network, who), program=network.program, questions=[question()])
    assert not network.program.intake_questions.exists()


# ---- the page -------------------------------------------------------------------------------------------


def page(program):
    return f"/programs/{program.public_id}/manage/questions/"


def formset_data(rows, initial=0):
    data = {
        "questions-TOTAL_FORMS": str(len(rows)),
        "questions-INITIAL_FORMS": str(initial),
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "30",
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"questions-{index}-{name}"] = value
    return data


def test_a_claimer_writes_questions_and_sees_the_preview_in_both_languages(network, client):
    client.force_login(network.claimer)
    response = client.get(page(network.program))
    assert response.status_code == 200 and "asks no questions yet" in response.content.decode()
    response = client.post(
        page(network.program),
        formset_data(
            [
                {
                    "text": "Do you rent or own?",
                    "text_es": "¿Alquila o es dueño?",
                    "kind": "one_choice",
                    "required": "on",
                    "choices": "Rent\nOwn",
                    "choices_es": "Alquilo\nSoy dueño",
                    "ORDER": "2",
                },
                {"text": "How many children?", "kind": "number", "ORDER": "1"},
            ]
        ),
        follow=True,
    )
    assert response.status_code == 200
    assert [q.text for q in network.program.intake_questions.order_by("position")] == [
        "How many children?",
        "Do you rent or own?",
    ]
    html = response.content.decode()
    for text in ("Preview: the Connect form", "¿Alquila o es dueño?", "Soy dueño", "Do you rent or own?", "(required)"):
        assert text in html
    manage = client.get(f"/programs/{network.program.public_id}/manage/").content.decode()
    assert "asks 2 questions" in manage


def test_a_refused_question_keeps_what_was_typed_and_saves_nothing(network, client):
    client.force_login(network.claimer)
    response = client.post(
        page(network.program),
        formset_data(
            [
                {"text": "Fine question", "kind": "short_text"},
                {"text": "Which shelter?", "kind": "one_choice", "choices": "Only one"},
                {"text": "", "text_es": "¿Sin inglés?", "kind": "yes_no"},
            ]
        ),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "at least two choices" in html and "no wording" in html
    assert "Fine question" in html and "Only one" in html and "¿Sin inglés?" in html
    assert not network.program.intake_questions.exists()


def test_removing_a_question_on_the_page(network, client):
    kept, gone = program_set_questions(
        actor=network.claimer, program=network.program, questions=[question(text="Kept"), question(text="Gone")]
    )
    client.force_login(network.provider_admin)
    rows = [
        {"id": str(kept.public_id), "text": "Kept", "kind": "short_text", "ORDER": "1"},
        {"id": str(gone.public_id), "text": "Gone", "kind": "short_text", "ORDER": "2", "DELETE": "on"},
    ]
    response = client.post(page(network.program), formset_data(rows, initial=2))
    assert response.status_code == 302
    assert [q.text for q in network.program.intake_questions.all()] == ["Kept"]


def test_people_who_may_not_edit_the_listing_get_403_and_a_missing_program_404(network, client):
    client.force_login(network.other_claimer)
    assert client.get(page(network.program)).status_code == 403
    assert client.post(page(network.program), formset_data([question()])).status_code == 403
    assert not network.program.intake_questions.exists()
    assert client.get("/programs/00000000-0000-0000-0000-000000000000/manage/questions/").status_code == 404


# ---- the Django admin ------------------------------------------------------------------------------------


def test_a_network_admin_edits_the_questions_in_the_admin_through_the_service(client, network):
    from tests.admin_forms import add_inline_row, network_admin, page_data

    [kept] = program_set_questions(
        actor=network.claimer, program=network.program, questions=[question(text="Kept", kind="number")]
    )
    client.force_login(network_admin())
    url = f"/admin/programs/program/{network.program.pk}/change/"
    data = page_data(client.get(url))
    add_inline_row(data, "intake_questions", position=0, text="Rent or own?", kind="one_choice", choices="Rent")
    response = client.post(url, data)
    assert response.status_code == 200 and "at least two choices" in response.content.decode()
    assert [q.text for q in network.program.intake_questions.all()] == ["Kept"]

    data["intake_questions-1-choices"] = "Rent\nOwn"
    data["intake_questions-0-position"] = "5"
    assert client.post(url, data).status_code == 302
    stored = list(network.program.intake_questions.order_by("position"))
    assert [(q.text, q.choices) for q in stored] == [("Rent or own?", ["Rent", "Own"]), ("Kept", [])]
    assert stored[1].public_id == kept.public_id
    history = " ".join(entry.change_message for entry in LogEntry.objects.filter(object_id=str(network.program.pk)))
    assert "Intake questions: 1 added, 1 changed, 0 removed" in history


def test_the_rule_book_and_the_model_know_the_same_kinds():
    from programs.intake import KINDS

    assert dict(IntakeQuestion.Kind.choices) == KINDS


def test_more_questions_than_a_program_may_ask_are_refused_in_the_admin_too(client, network):
    from tests.admin_forms import add_inline_row, network_admin, page_data

    client.force_login(network_admin())
    url = f"/admin/programs/program/{network.program.pk}/change/"
    data = page_data(client.get(url))
    for number in range(31):
        add_inline_row(data, "intake_questions", position=number, text=f"Question {number}", kind="short_text")
    response = client.post(url, data)
    assert response.status_code == 200 and "at most 30 questions" in response.content.decode()
    assert not network.program.intake_questions.exists()


def test_more_questions_than_a_program_may_ask_are_refused_on_the_page(network, client):
    client.force_login(network.claimer)
    rows = [{"text": f"Question {number}", "kind": "short_text"} for number in range(31)]
    response = client.post(page(network.program), formset_data(rows))
    assert response.status_code == 400 and "at most 30 questions" in response.content.decode()
    assert not network.program.intake_questions.exists()


@pytest.mark.parametrize(
    "row, field, words",
    [
        ({"id": "not-a-question", "text": "Taken over?", "kind": "short_text"}, "text", "removed meanwhile"),
        ({"id": "00000000-0000-0000-0000-000000000000", "text": "Gone", "kind": "short_text"}, "text", "removed"),
        ({"text": "Order?", "kind": "short_text", "ORDER": "first"}, "ORDER", "whole number"),
        ({"text": "Kind?", "kind": "essay"}, "kind", "valid choice"),
    ],
)
def test_hostile_rows_are_refused_on_their_field_and_save_nothing(network, client, row, field, words):
    client.force_login(network.claimer)
    response = client.post(page(network.program), formset_data([row]))
    assert response.status_code == 400
    form = response.context["formset"].forms[0]
    assert any(words in message for message in form.errors.get(field, [])), form.errors
    assert not network.program.intake_questions.exists()


def test_a_nul_character_is_refused_before_the_page_and_saves_nothing(network, client):
    client.force_login(network.claimer)
    response = client.post(page(network.program), formset_data([{"text": "Nul\x00", "kind": "short_text"}]))
    assert response.status_code == 400  # referrals_site.middleware.UnstorableTextMiddleware
    assert not network.program.intake_questions.exists()
