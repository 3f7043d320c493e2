"""Lists, searches and exports that show staff many people record who saw whom (issue 12, item 5).

Each such request writes one access record per referral (or person) it returned, in one query, so
"Who looked at this person" is complete; reading a longer list costs no more queries.
"""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from privacy.models import AccessRecord
from privacy.services import access_records_for_many, access_records_for_seeker
from referrals.models import Referral
from tests import factories
from tests.api.conftest import client_for

Action, Via = AccessRecord.Action, AccessRecord.Via


def _records(**filters):
    return AccessRecord.objects.unscoped("the test reads every record").filter(**filters)


def _seekers(network, n):
    return [
        factories.SeekerFactory(organization=network.site, created_by=network.referrer, team=network.sharing_team)
        for _ in range(n)
    ]


def _csv_rows(response):
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_api_referral_list_records_every_person_it_returned(network):
    referrals = [network.refer(seeker=seeker) for seeker in [network.seeker, *_seekers(network, 2)]]
    response = client_for(network.claimer).get(
        "/api/v1/referrals/?direction=inbound", HTTP_USER_AGENT="Firefox", REMOTE_ADDR="203.0.113.9"
    )
    assert response.status_code == 200 and response.json()["count"] == 3

    records = _records(user=network.claimer)
    assert {(record.seeker_id, record.referral_id) for record in records} == {
        (referral.seeker_id, referral.pk) for referral in referrals
    }
    assert {(r.action, r.via, r.actor_display, r.ip_address, r.user_agent, r.organization_id) for r in records} == {
        (Action.LISTED, Via.API, "Sam O.", "203.0.113.9", "Firefox", network.site.pk)
    }
    # ... and the organization admin reads it on "Who looked at this person".
    assert [(r.actor_display, r.action) for r in access_records_for_seeker(seeker=network.seeker)] == [
        ("Sam O.", Action.LISTED)
    ]


def test_only_the_page_returned_is_recorded(network, monkeypatch):
    from core.pagination import CappedCountPagination

    monkeypatch.setattr(CappedCountPagination, "page_size", 2)
    for seeker in _seekers(network, 3):
        network.refer(seeker=seeker)
    page = client_for(network.referrer).get("/api/v1/referrals/").json()
    listed = {
        str(pk)
        for pk in Referral.objects.unscoped("test")
        .filter(pk__in=_records(user=network.referrer).values("referral_id"))
        .values_list("public_id", flat=True)
    }
    assert listed == {row["id"] for row in page["results"]} and len(listed) == 2


def test_the_api_seeker_list_records_every_person_it_returned(network):
    others = _seekers(network, 2)
    response = client_for(network.referrer).get("/api/v1/seekers/")
    assert response.status_code == 200
    records = _records(user=network.referrer)
    assert sorted(record.seeker_id for record in records) == sorted(s.pk for s in [network.seeker, *others])
    assert {(record.action, record.via, record.referral_id) for record in records} == {(Action.LISTED, Via.API, None)}


def test_a_seekers_goals_through_the_api_are_recorded(network):
    response = client_for(network.referrer).get(f"/api/v1/seekers/{network.seeker.public_id}/goals/")
    assert response.status_code == 200
    assert [(r.seeker_id, r.via) for r in _records(user=network.referrer)] == [(network.seeker.pk, Via.API)]


def test_a_fhir_task_search_records_every_person_it_returned(client, network):
    referrals = [network.refer(seeker=seeker) for seeker in [network.seeker, *_seekers(network, 2)]]
    client.force_login(network.claimer)
    response = client.get(f"/fhir/Task?owner=Organization/{network.provider.public_id}")
    assert response.status_code == 200 and len(response.json()["entry"]) == 3
    records = _records(user=network.claimer)
    assert {(r.referral_id, r.seeker_id, r.action, r.via) for r in records} == {
        (referral.pk, referral.seeker_id, Action.LISTED, Via.FHIR) for referral in referrals
    }


@pytest.mark.parametrize(
    "url, via, signed_in_by",
    [("/api/v1/exports/referrals.csv", Via.API, "token"), ("/exports/referrals.csv", Via.WEB, "session")],
)
def test_the_csv_export_records_every_person_in_it(client, network, url, via, signed_in_by):
    referrals = [network.refer(seeker=seeker) for seeker in [network.seeker, *_seekers(network, 2)]]
    outsiders = network.refer(
        referrer=network.outsider,
        seeker=network.outsider_seeker,
        program=factories.ProgramFactory(organization=network.other_site),
    )
    if signed_in_by == "token":
        client = client_for(network.site_admin)
    else:
        client.force_login(network.site_admin)
    response = client.get(url)
    assert response.status_code == 200 and len(_csv_rows(response)) == 3

    records = _records(user=network.site_admin)
    assert {(r.referral_id, r.seeker_id, r.organization_id) for r in records} == {
        (referral.pk, referral.seeker_id, network.site.pk) for referral in referrals
    }
    assert {(r.action, r.via, r.actor_display) for r in records} == {(Action.EXPORTED, via, "Omar H.")}
    assert not _records(referral=outsiders).exists()
    assert all(record.public_id for record in records) and len({r.public_id for r in records}) == 3


def test_a_refused_export_records_nothing(network):
    network.refer()
    assert client_for(network.referrer).get("/api/v1/exports/referrals.csv").status_code == 403
    assert not _records().exists()


def _queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    if response.streaming:
        b"".join(response.streaming_content)
    return len(context)


@pytest.mark.parametrize(
    "role, url",
    [
        ("claimer", "/api/v1/referrals/?direction=inbound"),
        ("referrer", "/api/v1/seekers/"),
        ("site_admin", "/api/v1/exports/referrals.csv"),
        ("claimer", "/fhir/Task"),
    ],
)
def test_recording_costs_one_query_however_many_people(network, role, url):
    client = client_for(getattr(network, role))
    # A token's first request records when it was first used (one UPDATE, then at most one a minute): use it
    # once before counting, so both counts are steady ones.
    assert client.get("/api/v1/programs/").status_code == 200
    network.refer()
    one = _queries(client, url)
    recorded_for_one = _records().count()
    for seeker in _seekers(network, 5):
        network.refer(seeker=seeker)
    many = _queries(client, url)
    assert many == one
    assert _records().count() - recorded_for_one > recorded_for_one  # more people, more records, same queries


def test_recording_a_page_is_one_insert(rf, network, django_assert_num_queries):
    for seeker in _seekers(network, 3):
        network.refer(seeker=seeker)
    page = list(Referral.objects.unscoped("test").select_related("seeker"))
    with django_assert_num_queries(1):
        assert access_records_for_many(user=network.claimer, request=rf.get("/"), via=Via.API, referrals=page) == 3
    with django_assert_num_queries(0):
        assert access_records_for_many(user=network.claimer, via=Via.API, referrals=[]) == 0
