"""Organization reports counted ahead (reports.ahead): the report an admin opens is counted by the worker after a
change and in the beat, so that the page finds its figures kept, and what it shows is what counting would show."""

import time
from datetime import timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from referrals.models import Referral
from referrals.services import referral_assign, referral_change_status, referral_record_delivery
from referrals_site.celery import app
from reports import ahead, tasks
from reports.selectors import PAGE_ROW_LIMIT, Period, organization_report

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def counted_ahead(settings):
    settings.ORGANIZATION_REPORT_KEPT_SECONDS = 300
    settings.ORGANIZATION_REPORT_AHEAD_DAYS = 7
    cache.clear()
    ahead._noted.clear()
    yield
    cache.clear()
    ahead._noted.clear()


def statements(queries) -> int:
    """How many times the report's figures were counted (their statement opens with WITH)."""
    return sum(query["sql"].startswith("WITH ") for query in queries.captured_queries)


def opened(client, query=None):
    """The report page and whether its figures were counted for it."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/reports/", query or {})
    assert response.status_code == 200
    return response, statements(queries)


def rows(response) -> list:
    return [(table.slug, table.rows) for table in response.context["tables"]]


def counted_afresh(organization) -> list:
    with override_settings(ORGANIZATION_REPORT_KEPT_SECONDS=0):
        tables = organization_report(organization=organization, period=Period.default(), row_limit=PAGE_ROW_LIMIT)
    return [(table.slug, table.rows) for table in tables]


def changed(capture, change):
    """Runs ``change`` in its own transaction with its on-commit work (as a request would); how many times a
    report's figures were counted meanwhile."""
    with CaptureQueriesContext(connection) as queries, capture(execute=True):
        with transaction.atomic():
            change()
    return statements(queries)


def test_opening_the_default_report_watches_it_and_another_period_does_not(network, client):
    client.force_login(network.site_admin)
    opened(client, {"start": "2026-02-02", "end": "2026-02-22"})
    assert ahead.watched([network.site.pk, network.provider.pk]) == []
    opened(client)
    assert ahead.watched([network.site.pk, network.provider.pk]) == [network.site.pk]
    # Noted once an hour at most by each process, not at every view; again when its watch has run out.
    with mock.patch("reports.ahead.cache.set") as noted:
        opened(client)
    assert not noted.called
    cache.delete(ahead.WATCHED.format(network.site.pk))
    with mock.patch("reports.ahead.time.monotonic", return_value=time.monotonic() + ahead.NOTED_AGAIN_AFTER):
        opened(client)
    assert ahead.watched([network.site.pk]) == [network.site.pk]


def test_after_a_change_the_admin_finds_the_figures_counted_ahead_and_they_are_what_counting_shows(
    network, client, django_capture_on_commit_callbacks
):
    referral = network.refer()
    client.force_login(network.site_admin)
    _, counted = opened(client)
    assert counted == 1

    # The site's report is watched, the provider's is not: one count ahead, the site's.
    assert (
        changed(
            django_capture_on_commit_callbacks,
            lambda: referral_change_status(actor=network.claimer, referral=referral, to_status="accepted"),
        )
        == 1
    )

    response, counted = opened(client)
    assert counted == 0  # read kept: the worker counted them
    assert rows(response) == counted_afresh(network.site)
    summary = dict(rows(response))["summary"]
    assert summary == dict(counted_afresh(network.site))["summary"]


def test_a_delivery_queues_no_count(network, client, django_capture_on_commit_callbacks):
    """An email or a text sent is recorded in the referral's history, but changes nothing a report counts."""
    referral = network.refer()
    client.force_login(network.site_admin)
    opened(client)
    with mock.patch.object(tasks.count_organization_report_ahead, "apply_async") as queued:
        changed(
            django_capture_on_commit_callbacks,
            lambda: referral_record_delivery(channel="email", referral=referral, detail={"to": "seeker"}),
        )
    assert not queued.called
    with mock.patch.object(tasks.count_organization_report_ahead, "apply_async") as queued:
        changed(
            django_capture_on_commit_callbacks,
            lambda: referral_assign(actor=network.claimer, referral=referral, assignee=network.claimer),
        )
    assert queued.called


def test_a_change_to_an_organization_nobody_watches_counts_nothing(network, django_capture_on_commit_callbacks):
    referral = network.refer()
    assert (
        changed(
            django_capture_on_commit_callbacks,
            lambda: referral_change_status(actor=network.claimer, referral=referral, to_status="accepted"),
        )
        == 0
    )


def test_a_burst_of_changes_is_counted_once_after_it(network, client, django_capture_on_commit_callbacks):
    referral = network.refer()
    client.force_login(network.site_admin)
    opened(client)

    def burst():
        accepted = referral_change_status(actor=network.claimer, referral=referral, to_status="accepted")
        referral_assign(actor=network.claimer, referral=accepted, assignee=network.claimer)

    with mock.patch.object(tasks.count_organization_report_ahead, "apply_async") as queued:
        changed(django_capture_on_commit_callbacks, burst)
    assert queued.call_args_list == [mock.call((network.site.pk,), countdown=ahead.AHEAD_DELAY)]

    # The queued count runs once the burst is over: it counts both changes, and a later change queues another.
    assert tasks.count_organization_report_ahead(network.site.pk) == f"organization {network.site.pk}: counted"
    _, counted = opened(client)
    assert counted == 0
    assert (
        tasks.count_organization_report_ahead(network.site.pk)
        == f"organization {network.site.pk}: its kept figures hold"
    )
    with mock.patch.object(tasks.count_organization_report_ahead, "apply_async") as queued:
        changed(
            django_capture_on_commit_callbacks,
            lambda: referral_assign(
                actor=network.claimer, referral=Referral.objects_across_tenants.get(pk=referral.pk), assignee=None
            ),
        )
    assert queued.call_count == 1


def test_the_beat_counts_what_would_be_dropped_before_its_next_round_and_leaves_the_rest(network, client):
    network.refer()
    client.force_login(network.site_admin)
    opened(client)
    now = timezone.now()
    # Counted a moment ago: they hold, and will at the next round.
    assert tasks.keep_organization_reports((now + timedelta(seconds=60)).isoformat()) == (
        "0 of 1 watched organization reports counted ahead"
    )
    # Three minutes and twenty seconds on, they would be dropped (after five) before the round after next: counted
    # again (renewed two rounds ahead, so that a late round still finds them).
    assert tasks.keep_organization_reports((now + timedelta(seconds=200)).isoformat()) == (
        "1 of 1 watched organization reports counted ahead"
    )


def test_the_beat_counts_again_once_a_deadline_among_the_figures_has_passed(network, client):
    """An unanswered referral becomes overdue when its program's expected response time runs out: the figures
    counted before no longer hold, and the next round counts them."""
    referral = network.refer()
    client.force_login(network.site_admin)
    opened(client)
    overdue_at = referral.sent_at + timedelta(hours=network.program.expected_response_hours)
    assert overdue_at - timezone.now() < timedelta(days=89)
    before = overdue_at - timedelta(seconds=1)
    with mock.patch("reports.ahead.timezone.localdate", return_value=timezone.localdate()):
        assert tasks.keep_organization_reports(before.isoformat()).startswith("1 of 1")  # days old: renewed
        assert tasks.keep_organization_reports((before + timedelta(microseconds=500_000)).isoformat()).startswith(
            "0 of 1"
        )
        assert tasks.keep_organization_reports((overdue_at + timedelta(seconds=1)).isoformat()).startswith("1 of 1")


def test_the_beat_runs_it_every_minute():
    [entry] = [
        entry for entry in app.conf.beat_schedule.values() if entry["task"] == "reports.tasks.keep_organization_reports"
    ]
    assert entry["schedule"] == ahead.ROUND_SECONDS == 60


def test_an_unreachable_cache_or_broker_leaves_the_change_made_and_the_view_counting(
    network, client, django_capture_on_commit_callbacks, caplog
):
    referral = network.refer()
    client.force_login(network.site_admin)
    opened(client)
    with mock.patch("reports.ahead.cache.get_many", side_effect=ConnectionError("down")), caplog.at_level("WARNING"):
        changed(
            django_capture_on_commit_callbacks,
            lambda: referral_change_status(actor=network.claimer, referral=referral, to_status="accepted"),
        )
    referral.refresh_from_db()
    assert referral.status == "accepted"
    # Said as a warning by the subscriber itself, not raised (the on-commit call would log it as an error).
    [warning] = [record for record in caplog.records if record.name == "reports.ahead"]
    assert warning.levelname == "WARNING" and "could not read the watched reports" in warning.getMessage()
    assert not [record for record in caplog.records if record.levelname == "ERROR"]
    with mock.patch.object(
        tasks.count_organization_report_ahead, "apply_async", side_effect=ConnectionError("broker down")
    ):
        changed(
            django_capture_on_commit_callbacks,
            lambda: referral_assign(actor=network.claimer, referral=referral, assignee=network.claimer),
        )
    assert Referral.objects_across_tenants.get(pk=referral.pk).assigned_to == network.claimer
    assert cache.get(ahead.PENDING.format(network.site.pk)) is None  # the next change queues a count again
    response, counted = opened(client)
    assert counted == 1 and rows(response) == counted_afresh(network.site)
    ahead._noted.clear()
    with mock.patch("reports.ahead.cache.set", side_effect=ConnectionError("down")) as noting:
        assert opened(client)[0].status_code == 200
    assert noting.called and network.site.pk not in ahead._noted  # noted at the next view


@pytest.mark.parametrize("setting", ["ORGANIZATION_REPORT_AHEAD_DAYS", "ORGANIZATION_REPORT_KEPT_SECONDS"])
def test_switched_off_nothing_is_watched(network, client, settings, setting):
    setattr(settings, setting, 0)
    client.force_login(network.site_admin)
    opened(client)
    settings.ORGANIZATION_REPORT_AHEAD_DAYS = 7
    settings.ORGANIZATION_REPORT_KEPT_SECONDS = 300
    assert ahead.watched([network.site.pk]) == []


def test_the_subscriber_reads_the_event_and_never_a_referral_service():
    """Events flow one way: reports.ahead, subscribed to referrals.events, imports no referral service."""
    from tests.referrals.test_events import ROOT, module_of, referral_imports

    imported = {module_of(name) for name in referral_imports(ROOT / "reports" / "ahead.py")}
    assert imported == {"referrals.models"}
