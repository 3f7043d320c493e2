"""Dashboards and API lists never count a whole filtered set on a page view (the per-page query-count tests
live beside each page: tests/seekers, tests/referrals, tests/programs, tests/api, tests/reports)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from referrals.services import note_add
from tests import factories


def _counts(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries if re.search(r"\bCOUNT\(", query["sql"], re.I)]


@pytest.mark.parametrize("url", ["/inbound/", "/inbound/?status=sent&urgency=urgent", "/inbound/?status=all"])
def test_inbound_referrals_counts_only_up_to_a_cap(client, network, url):
    for _ in range(3):
        network.refer(
            seeker=factories.SeekerFactory(
                organization=network.site, created_by=network.referrer, team=network.sharing_team
            )
        )
    client.force_login(network.claimer)
    counts = _counts(client, url)
    assert counts, "the page shows how many referrals match"
    for sql in counts:
        assert re.search(r"\bLIMIT \d+", sql), f"an uncapped count on {url}: {sql[:200]}"


@pytest.mark.parametrize(
    "role, url",
    [
        ("referrer", "/api/v1/referrals/"),
        ("claimer", "/api/v1/referrals/?direction=inbound"),
        ("teammate", "/api/v1/referrals/?direction=outbound"),
        ("site_admin", "/api/v1/referrals/?status=sent"),
        ("referrer", "/api/v1/referrals/?program={program}"),
        ("referrer", "/api/v1/referrals/?page=2"),
        ("referrer", "/api/v1/seekers/"),
        ("referrer", "/api/v1/seekers/{seeker}/goals/"),
        ("referrer", "/api/v1/programs/"),
        ("referrer", "/api/v1/programs/?zip=60640&radius_miles=10"),
        ("claimer", "/api/v1/referrals/{referral}/notes/"),
        ("claimer", "/api/v1/referrals/{referral}/history/"),
    ],
)
def test_api_lists_count_only_up_to_a_cap(network, role, url):
    referral = network.refer()
    for _ in range(25):  # a second page
        network.refer(
            seeker=factories.SeekerFactory(
                organization=network.site, created_by=network.referrer, team=network.sharing_team
            )
        )
    note_add(actor=network.claimer, referral=referral, body="Called.")
    factories.GoalFactory(seeker=network.seeker)
    client = APIClient()
    client.force_authenticate(getattr(network, role))
    url = url.format(program=network.program.public_id, seeker=network.seeker.public_id, referral=referral.public_id)
    counts = _counts(client, url)
    assert counts, "the list says how many results there are"
    for sql in counts:
        assert re.search(r"\bLIMIT \d+", sql), f"an uncapped count on {url}: {sql[:200]}"
