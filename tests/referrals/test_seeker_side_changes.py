"""The goal and consent belong to the seeker's side: the program organization's admins cannot change them."""

import pytest
from rest_framework.test import APIClient

from referrals import services
from referrals.actors import Actor
from referrals.errors import NotAllowed
from referrals.models import Referral
from tests import factories
from tests.factories import api_token


def _reload(referral):
    return Referral.objects_across_tenants.get(pk=referral.pk)


def _api(user):
    client = APIClient()
    token = api_token(user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def goal(network):
    return factories.GoalFactory(seeker=network.seeker, title="Find stable housing")


@pytest.mark.parametrize("who", ["provider_admin", "claimer"])
def test_the_program_side_cannot_move_the_goal_or_withdraw_consent(network, goal, who):
    referral = network.refer(goal=goal)
    with pytest.raises(NotAllowed):
        services.referral_set_goal(actor=getattr(network, who), referral=referral, goal=None)
    with pytest.raises(NotAllowed):
        services.referral_withdraw_consent(actor=getattr(network, who), referral=referral)
    referral = _reload(referral)
    assert referral.goal_id == goal.pk and referral.has_consent


@pytest.mark.parametrize("who", ["referrer", "site_admin"])
def test_the_seekers_side_moves_the_goal_and_withdraws_consent(network, goal, who):
    referral = network.refer()
    services.referral_set_goal(actor=getattr(network, who), referral=referral, goal=goal)
    services.referral_withdraw_consent(actor=getattr(network, who), referral=referral)
    referral = _reload(referral)
    assert referral.goal_id == goal.pk and not referral.has_consent


def test_the_seeker_withdraws_consent(network):
    referral = network.refer()
    services.referral_withdraw_consent(actor=Actor.for_seeker(network.seeker), referral=referral)
    assert not _reload(referral).has_consent


def test_the_api_hides_the_goal_from_the_program_side_and_refuses_its_change(network, goal):
    referral = network.refer(goal=goal)
    url = f"/api/v1/referrals/{referral.public_id}/"
    assert _api(network.provider_admin).get(url).json()["goal"] is None
    assert _api(network.referrer).get(url).json()["goal"] == str(goal.public_id)
    response = _api(network.provider_admin).patch(
        url, {"goal": None, "version": _reload(referral).version}, format="json"
    )
    assert response.status_code == 403
    assert _reload(referral).goal_id == goal.pk
