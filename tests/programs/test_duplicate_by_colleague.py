"""An open referral a colleague made, which the helper may not see, is mentioned without a link (not a 404)."""

import re

import pytest
from django.urls import reverse

from tests import factories


@pytest.fixture
def colleagues_referral(network):
    """Priya's (private team) seeker, referred by the site admin: Priya sees the person, not the referral."""
    seeker = factories.SeekerFactory(
        organization=network.site,
        created_by=network.private_worker,
        team=network.private_team,
        first_name="Ines",
        last_name="Moreau",
        zip_code="60640",
    )
    return network.refer(referrer=network.site_admin, seeker=seeker)


def test_search_says_a_colleague_referred_them_without_a_link(client, network, colleagues_referral):
    client.force_login(network.private_worker)
    response = client.get(
        reverse("programs:search"), {"seeker": colleagues_referral.seeker.public_id, "q": "Community Food Pantry"}
    )
    html = response.content.decode()
    assert "A colleague already referred Ines Moreau to this program." in html
    assert str(colleagues_referral.public_id) not in html
    assert ">Refer</button>" not in html


def test_connect_says_a_colleague_referred_them_without_a_link(client, network, colleagues_referral):
    client.force_login(network.private_worker)
    url = (
        reverse("programs:connect", args=[network.program.public_id])
        + f"?seeker={colleagues_referral.seeker.public_id}"
    )
    response = client.post(
        url, {"comment": "", "urgency": "routine", "consent": "on", "consent_method": "verbal", "goal": ""}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "A colleague already referred Ines Moreau to this program." in html
    assert not re.search(r'href="/referrals/[0-9a-f-]+/"', html)
