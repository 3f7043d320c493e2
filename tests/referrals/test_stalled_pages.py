"""Where people look: stalled referrals on Sent referrals, Inbound Referrals, the API, FHIR and the report."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from fhir.resources.R4B.task import Task

from fhir_api.resources import STALLED_SINCE_EXTENSION
from referrals.models import Referral
from referrals.services import referral_change_status
from reports.selectors import OrganizationFigures, Period, stalled_table

pytestmark = pytest.mark.django_db


def stalled(network, *, days_stalled, status="waitlisted", program=None):
    """A referral answered with ``status`` and left alone: stalled for ``days_stalled`` days now."""
    referral = network.refer(program=program or network.program)
    claimer = network.claimer if referral.program == network.program else network.other_claimer
    referral_change_status(actor=claimer, referral=referral, to_status=status)
    Referral.objects_across_tenants.filter(pk=referral.pk).update(
        stall_due_at=timezone.now() - timedelta(days=days_stalled, hours=1)
    )
    return Referral.objects_across_tenants.get(pk=referral.pk)


def test_sent_referrals_needs_my_attention_shows_how_long(client, network):
    referral = stalled(network, days_stalled=5)
    fresh = network.refer(program=network.other_program)
    referral_change_status(actor=network.other_claimer, referral=fresh, to_status="waitlisted")
    client.force_login(network.referrer)

    page = client.get("/sent/").content.decode()
    assert "1 needs my attention" in page or "1 need my attention" in page
    assert f'id="sent-{referral.public_id}"' in page and "Stalled 5 days" in page
    assert f'id="sent-{fresh.public_id}"' not in page  # waitlisted today: not stalled


def test_inbound_referrals_count_list_and_filter_the_stalled(client, network):
    referral = stalled(network, days_stalled=0)
    answered = network.refer(seeker=network.outsider_seeker, referrer=network.outsider)
    referral_change_status(actor=network.claimer, referral=answered, to_status="accepted")
    client.force_login(network.claimer)

    page = client.get("/inbound/").content.decode()
    assert "1 Stalled" in page and "Stalled today" in page
    listed = client.get("/inbound/", {"status": "stalled"}).content.decode()
    assert f'id="inbound-{referral.public_id}"' in listed and f'id="inbound-{answered.public_id}"' not in listed


def test_the_pages_ask_no_more_queries_for_more_stalled_referrals(client, network, django_assert_max_num_queries):
    from tests import factories

    client.force_login(network.claimer)
    stalled(network, days_stalled=3)
    client.get("/inbound/")
    with django_assert_max_num_queries(40) as few:
        client.get("/inbound/", {"status": "stalled"})
    for index in range(4):
        seeker = factories.SeekerFactory(organization=network.site, created_by=network.referrer)
        referral = network.refer(seeker=seeker)
        referral_change_status(actor=network.claimer, referral=referral, to_status="in_service")
        Referral.objects_across_tenants.filter(pk=referral.pk).update(
            stall_due_at=timezone.now() - timedelta(days=index)
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/inbound/", {"status": "stalled"}).content.decode().count("Stalled ") >= 5
    client.force_login(network.referrer)
    client.get("/sent/")
    with django_assert_max_num_queries(40) as sent_queries:
        client.get("/sent/")
    stalled(network, days_stalled=9, program=network.other_program)
    with django_assert_max_num_queries(len(sent_queries.captured_queries)):
        client.get("/sent/")


def test_the_api_says_since_when(client, network):
    referral = stalled(network, days_stalled=2)
    fresh = network.refer(program=network.other_program)
    client.force_login(network.claimer)
    body = client.get(f"/api/v1/referrals/{referral.public_id}/").json()
    assert datetime.fromisoformat(body["stalled_since"]) == referral.stall_due_at
    client.force_login(network.referrer)
    assert client.get(f"/api/v1/referrals/{fresh.public_id}/").json()["stalled_since"] is None


def test_fhir_task_carries_it_as_an_extension_and_keeps_its_business_status(client, network):
    referral = stalled(network, days_stalled=2)
    client.force_login(network.claimer)
    response = client.get(f"/fhir/Task/{referral.public_id}")
    task = response.json()
    Task.model_validate(task)
    assert task["businessStatus"]["coding"][0]["code"] == "waitlisted" and task["status"] == "on-hold"
    (extension,) = task["extension"]
    assert extension["url"] == STALLED_SINCE_EXTENSION
    since = datetime.fromisoformat(extension["valueDateTime"].replace("Z", "+00:00"))
    assert abs(since - referral.stall_due_at) < timedelta(seconds=1)
    fresh = network.refer(program=network.other_program)
    client.force_login(network.other_claimer)
    assert "extension" not in client.get(f"/fhir/Task/{fresh.public_id}").json()


def test_the_report_counts_the_stalled_and_the_median_days(network):
    stalled(network, days_stalled=2)
    stalled(network, days_stalled=6, program=network.other_program)
    network.refer(seeker=network.outsider_seeker, referrer=network.outsider)  # open, unanswered: not stalled
    figures = OrganizationFigures(organization=network.provider, period=Period.default(), now=timezone.now())
    table = stalled_table(figures)
    assert table.rows == [["Sent", 0, None], ["Received", 2, 4.0]] or table.rows[1][1:] == [
        2,
        pytest.approx(4.0, abs=0.1),
    ]
    site = OrganizationFigures(organization=network.site, period=Period.default(), now=timezone.now())
    assert stalled_table(site).rows[0][1] == 2
