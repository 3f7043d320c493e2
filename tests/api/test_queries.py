"""List endpoints run a fixed number of queries, however many rows they return."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from referrals.services import note_add, referral_change_status
from tests import factories


def _queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context), response.json()["count"]


def _grow(network, n):
    for _ in range(n):
        seeker = factories.SeekerFactory(organization=network.site, created_by=network.referrer,
                                         team=network.sharing_team)
        goal = factories.GoalFactory(seeker=seeker)
        referral = network.refer(seeker=seeker, goal=goal)
        referral_change_status(actor=network.claimer, referral=referral, to_status="accepted")
        note_add(actor=network.claimer, referral=referral, body="Called.")
        factories.ProgramFactory(organization=network.provider, categories=[])


@pytest.mark.parametrize("role, url", [
    ("referrer", "/api/v1/referrals/"), ("claimer", "/api/v1/referrals/?direction=inbound"),
    ("teammate", "/api/v1/referrals/?direction=outbound"), ("site_admin", "/api/v1/referrals/?status=accepted"),
    ("site_admin", "/api/v1/seekers/"), ("referrer", "/api/v1/programs/"),
    ("outsider", "/api/v1/programs/?zip=60640&radius_miles=10"),
])
def test_list_queries_do_not_grow_with_rows(network, api, role, url):
    client = api(getattr(network, role))
    _grow(network, 1)
    few, few_rows = _queries(client, url)
    _grow(network, 3)
    many, many_rows = _queries(client, url)
    assert many_rows > few_rows
    assert many == few


def test_notes_and_history_queries_do_not_grow_with_rows(network, api):
    referral = network.refer()
    note_add(actor=network.claimer, referral=referral, body="First")
    client = api(network.claimer)
    urls = [f"/api/v1/referrals/{referral.public_id}/notes/", f"/api/v1/referrals/{referral.public_id}/history/"]
    before = [_queries(client, url) for url in urls]
    for n in range(6):
        note_add(actor=network.claimer, referral=referral, body=f"Note {n}")
    after = [_queries(client, url) for url in urls]
    assert [queries for queries, _ in after] == [queries for queries, _ in before]
    assert all(rows_after > rows_before for (_, rows_after), (_, rows_before) in zip(after, before))
