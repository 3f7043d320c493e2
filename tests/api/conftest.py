"""Fixtures of the API tests: a referral with a note and a goal, and API clients signed in by token."""

from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from referrals.services import note_add
from tests import factories
from tests.factories import api_token

ROLES = [
    "referrer",
    "teammate",
    "private_worker",
    "claimer",
    "other_claimer",
    "outsider",
    "site_admin",
    "provider_admin",
]


@dataclass
class World:
    network: object
    referral: object
    note: object
    goal: object


@pytest.fixture
def world(network) -> World:
    referral = network.refer()
    note = note_add(actor=network.claimer, referral=referral, body="Called once, no answer.")
    goal = factories.GoalFactory(seeker=network.seeker, title="Find stable housing")
    return World(network, referral, note, goal)


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        token = api_token(user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def api():
    """api(user) -> an APIClient that authenticates as ``user`` with a token; api() is anonymous."""
    return client_for
