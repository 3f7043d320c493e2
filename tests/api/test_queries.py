"""List endpoints run a fixed number of queries, however many rows they return."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.pagination import CappedCountPagination, CappedCountPaginator
from referrals.services import note_add, referral_change_status
from tests import factories


def _queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context), response.json()["count"]


def _used(client):
    """A token's first request records when it was first used (one UPDATE; after that, at most one a minute,
    api.authentication.LAST_USED_RESOLUTION): use it once before counting, so every count is a steady one."""
    assert client.get("/api/v1/programs/").status_code == 200
    return client


def _grow(network, n):
    for _ in range(n):
        seeker = factories.SeekerFactory(
            organization=network.site, created_by=network.referrer, team=network.sharing_team
        )
        goal = factories.GoalFactory(seeker=seeker)
        referral = network.refer(seeker=seeker, goal=goal)
        referral_change_status(actor=network.claimer, referral=referral, to_status="accepted")
        note_add(actor=network.claimer, referral=referral, body="Called.")
        factories.ProgramFactory(organization=network.provider, categories=[])


@pytest.mark.parametrize(
    "role, url",
    [
        ("referrer", "/api/v1/referrals/"),
        ("claimer", "/api/v1/referrals/?direction=inbound"),
        ("teammate", "/api/v1/referrals/?direction=outbound"),
        ("site_admin", "/api/v1/referrals/?status=accepted"),
        ("site_admin", "/api/v1/seekers/"),
        ("referrer", "/api/v1/programs/"),
        ("outsider", "/api/v1/programs/?zip=60640&radius_miles=10"),
    ],
)
def test_list_queries_do_not_grow_with_rows(network, api, role, url):
    client = _used(api(getattr(network, role)))
    _grow(network, 1)
    few, few_rows = _queries(client, url)
    _grow(network, 3)
    many, many_rows = _queries(client, url)
    assert many_rows > few_rows
    assert many == few


@pytest.mark.parametrize(
    "role, query",
    [
        ("referrer", "?"),
        ("claimer", "?direction=inbound&"),
        ("teammate", "?direction=outbound&"),
        ("site_admin", "?status=sent&"),
    ],
)
def test_the_referral_list_queries_stay_fixed_past_a_page_and_past_the_count_cap(
    network, api, monkeypatch, role, query
):
    monkeypatch.setattr(CappedCountPagination, "page_size", 2)
    monkeypatch.setattr(CappedCountPaginator, "count_cap", 3)
    client = _used(api(getattr(network, role)))
    network.refer()
    one_row, count = _queries(client, f"/api/v1/referrals/{query}")
    assert count == 1
    for _ in range(6):
        network.refer(
            seeker=factories.SeekerFactory(
                organization=network.site, created_by=network.referrer, team=network.sharing_team
            )
        )
    for page in (1, 2, 4):  # counted and capped; past the counted rows; the last, half full
        queries, count = _queries(client, f"/api/v1/referrals/{query}page={page}")
        assert (queries, count) == (one_row, 3), page


def test_notes_and_history_queries_do_not_grow_with_rows(network, api):
    referral = network.refer()
    note_add(actor=network.claimer, referral=referral, body="First")
    client = _used(api(network.claimer))
    urls = [f"/api/v1/referrals/{referral.public_id}/notes/", f"/api/v1/referrals/{referral.public_id}/history/"]
    before = [_queries(client, url) for url in urls]
    for n in range(6):
        note_add(actor=network.claimer, referral=referral, body=f"Note {n}")
    after = [_queries(client, url) for url in urls]
    assert [queries for queries, _ in after] == [queries for queries, _ in before]
    assert all(rows_after > rows_before for (_, rows_after), (_, rows_before) in zip(after, before))
