"""Dashboards never count a whole filtered set on a page view (the per-page query-count tests live beside
each page: tests/seekers, tests/referrals, tests/programs, tests/api, tests/reports)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories


def _counts(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries if re.search(r"\bCOUNT\(", query["sql"], re.I)]


@pytest.mark.parametrize("url", ["/inbound/", "/inbound/?status=sent&urgency=urgent", "/inbound/?status=all"])
def test_inbound_referrals_counts_only_up_to_a_cap(client, network, url):
    for _ in range(3):
        network.refer(seeker=factories.SeekerFactory(organization=network.site, created_by=network.referrer,
                                                     team=network.sharing_team))
    client.force_login(network.claimer)
    counts = _counts(client, url)
    assert counts, "the page shows how many referrals match"
    for sql in counts:
        assert re.search(r"\bLIMIT \d+", sql), f"an uncapped count on {url}: {sql[:200]}"
