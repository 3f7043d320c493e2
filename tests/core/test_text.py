"""One text cleaner (core.text.clean_text): the same refusals, in the same words, whether the text comes from a
web form, the API or a direct service call."""

import pytest
from rest_framework.test import APIClient

from core.errors import InvalidInput
from core.text import clean_text
from goals.services import goal_create
from programs.services import program_update
from referrals.services import note_add
from tests.factories import api_token


@pytest.mark.parametrize(
    "value, options, expected",
    [
        ("  a note  ", {}, "a note"),
        (None, {}, ""),
        ("  Maria \n  Garcia ", {"one_line": True}, "Maria Garcia"),
        ("line one\nline two", {}, "line one\nline two"),
        ("x" * 10, {"max_length": 10}, "x" * 10),
    ],
)
def test_it_keeps_what_a_person_typed(value, options, expected):
    assert clean_text(value, **options) == expected


@pytest.mark.parametrize(
    "value, options, message, code",
    [
        (
            "bad\x00byte",
            {"label": "note"},
            "The note contains characters that cannot be stored.",
            "unstorable_characters",
        ),
        ("   ", {"label": "first name", "required": True}, "Enter the first name.", "required"),
        ("", {"required": True, "empty_message": "Give the goal a name."}, "Give the goal a name.", "required"),
        (
            "x" * 11,
            {"label": "team name", "max_length": 10},
            "The team name is too long (11 characters; at most 10).",
            "too_long",
        ),
    ],
)
def test_it_refuses_with_one_message_on_the_field(value, options, message, code):
    with pytest.raises(InvalidInput) as error:
        clean_text(value, field="body", **options)
    assert (error.value.message, error.value.code, error.value.errors) == (message, code, {"body": [message]})


def test_the_services_refuse_text_in_the_cleaner_s_words_and_the_api_on_the_field(network):
    referral = network.refer()
    with pytest.raises(InvalidInput, match="The note contains characters that cannot be stored."):
        note_add(actor=network.claimer, referral=referral, body="nul\x00byte")
    with pytest.raises(InvalidInput, match="The goal's name is too long"):
        goal_create(actor=network.referrer, seeker=network.seeker, title="x" * 201)
    with pytest.raises(InvalidInput) as error:
        program_update(actor=network.claimer, program=network.program, description="nul\x00", eligibility="x" * 2001)
    assert error.value.errors == {
        "description": ["The description contains characters that cannot be stored."],
        "eligibility": ["The eligibility is too long (2001 characters; at most 2000)."],
    }
    client = APIClient()
    token = api_token(network.referrer)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.post(f"/api/v1/seekers/{network.seeker.public_id}/goals/", {"title": "   "}, format="json")
    assert response.status_code == 400 and "title" in response.json()
