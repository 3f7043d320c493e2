"""Who is on the seeker's side of a referral: web and API agree (referrals.selectors.seeker_contact_visible_to)."""

import pytest
from django.urls import reverse
from django.utils.html import strip_tags
from rest_framework.test import APIClient

from accounts.services import membership_set
from referrals import services
from tests import factories
from tests.factories import api_token


def _text(response) -> str:
    return " ".join(strip_tags(response.content.decode()).split())


def _api(user):
    client = APIClient()
    token = api_token(user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def withdrawn(network):
    """Luis's referral with a goal, after consent was withdrawn; the claimer also works at the referring site."""
    type(network.seeker).objects_across_tenants.filter(pk=network.seeker.pk).update(
        email="luis@example.com", phone="3125550142"
    )
    goal = factories.GoalFactory(seeker=network.seeker, title="Find stable housing")
    referral = network.refer(goal=goal)
    services.referral_withdraw_consent(actor=network.referrer, referral=referral)
    membership_set(user=network.claimer, organization=network.site)
    return referral


def test_a_claimer_who_also_works_at_the_referring_site_sees_no_contact_details_after_withdrawal(
    client, network, withdrawn
):
    client.force_login(network.claimer)
    page = _text(client.get(reverse("referrals:detail", args=[withdrawn.public_id])))
    assert "Luis" in page
    assert "luis@example.com" not in page
    assert "Find stable housing" not in page
    data = _api(network.claimer).get(f"/api/v1/referrals/{withdrawn.public_id}/").json()
    assert data["seeker"]["email"] == "" and data["seeker"]["phone"] == ""


@pytest.mark.parametrize("who", ["referrer", "site_admin"])
def test_the_seekers_side_keeps_contact_details_after_withdrawal_on_the_web_and_in_the_api(
    client, network, withdrawn, who
):
    user = getattr(network, who)
    client.force_login(user)
    assert "luis@example.com" in _text(client.get(reverse("referrals:detail", args=[withdrawn.public_id])))
    data = _api(user).get(f"/api/v1/referrals/{withdrawn.public_id}/").json()
    assert data["seeker"]["email"] == "luis@example.com"
    listed = _api(user).get("/api/v1/referrals/").json()["results"]
    assert [row["seeker"]["email"] for row in listed] == ["luis@example.com"]


def test_the_program_side_sees_contact_details_while_consent_holds(network):
    type(network.seeker).objects_across_tenants.filter(pk=network.seeker.pk).update(email="luis@example.com")
    referral = network.refer()
    data = _api(network.claimer).get(f"/api/v1/referrals/{referral.public_id}/").json()
    assert data["seeker"]["email"] == "luis@example.com"
