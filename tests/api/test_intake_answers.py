"""Issue 17 item 3 in the API: a program's questions in its detail, `answers` on referral create and read."""

import pytest

from programs.services import program_set_questions
from referrals.models import Referral

URL = "/api/v1/referrals/"


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
                "required": True,
                "choices": ["Rent", "Own"],
                "choices_es": ["Alquilo", "Soy dueño"],
            },
            {"kind": "number", "text": "How many children?"},
            {"kind": "several_choices", "text": "Needs", "choices": ["Food", "Rent", "Power"]},
        ],
    )


def body(network, **changes):
    data = {
        "seeker": str(network.seeker.public_id),
        "program": str(network.program.public_id),
        "comment": "Needs groceries",
        "consent": True,
    }
    data.update(changes)
    return data


def test_the_program_detail_lists_its_questions(network, api, questions):
    response = api(network.outsider).get(f"/api/v1/programs/{network.program.public_id}/")
    assert response.status_code == 200
    first = response.json()["questions"][0]
    assert first == {
        "id": str(questions[0].public_id),
        "kind": "one_choice",
        "required": True,
        "text": "Do you rent or own?",
        "text_es": "¿Alquila o es dueño?",
        "help": "",
        "help_es": "",
        "choices": ["Rent", "Own"],
        "choices_es": ["Alquilo", "Soy dueño"],
    }
    assert "questions" not in api(network.outsider).get("/api/v1/programs/").json()["results"][0]


def test_answers_are_stored_as_asked_and_read_back(network, api, questions):
    housing, children, needs = (str(question.public_id) for question in questions)
    response = api(network.referrer).post(
        URL, body(network, answers={housing: "Own", children: 3, needs: ["Power", "Food"]}), format="json"
    )
    assert response.status_code == 201, response.json()
    answers = response.json()["answers"]
    assert [(answer["id"], answer["answer"]) for answer in answers] == [
        (housing, "Own"),
        (children, 3),
        (needs, ["Food", "Power"]),
    ]
    read = api(network.claimer).get(f"{URL}{response.json()['id']}/").json()
    assert read["answers"] == answers


@pytest.mark.parametrize(
    "answers, index, words",
    [
        ({}, 0, "Answer this question"),
        ({0: "Castle"}, 0, "choices offered"),
        ({0: "Rent", 1: "many"}, 1, "number"),
        ({0: "Rent", 1: True}, 1, "number"),
        ({0: "Rent", 2: "Cars"}, 2, "choices offered"),
        ({0: "Rent", 2: {"a": 1}}, 2, "choices offered"),
        ({0: ["Rent"]}, 0, "choices offered"),
    ],
)
def test_wrong_answers_are_400_by_question_and_make_nothing(network, api, questions, answers, index, words):
    given = {str(questions[key].public_id): value for key, value in answers.items()}
    response = api(network.referrer).post(URL, body(network, answers=given), format="json")
    assert response.status_code == 400
    problems = response.json()["answers"][str(questions[index].public_id)]
    assert words in problems[0]
    assert not Referral.objects_across_tenants.filter(program=network.program).exists()


@pytest.mark.parametrize("answers", [["Rent"], "Rent", 3])
def test_answers_that_are_not_by_question_are_400(network, api, questions, answers):
    response = api(network.referrer).post(URL, body(network, answers=answers), format="json")
    assert response.status_code == 400 and "answers" in response.json()


def test_an_unknown_question_is_400(network, api, questions):
    response = api(network.referrer).post(
        URL,
        body(network, answers={str(questions[0].public_id): "Rent", "not-a-question": "x"}),
        format="json",
    )
    assert response.status_code == 400
    assert "no such question" in response.json()["answers"]["not-a-question"][0]
