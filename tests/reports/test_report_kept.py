"""An organization report's figures are kept and reused while they still hold (reports.selectors.KeptFigures):
every reuse shows what counting again would show, and anything that would change a figure counts again."""

from datetime import date, timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from referrals.models import Referral
from referrals.services import referral_assign, referral_change_status
from reports.selectors import KeptFigures, Period, organization_report

from .conftest import PERIOD, at

pytestmark = pytest.mark.django_db

FEBRUARY = Period(start=date(2026, 2, 2), end=date(2026, 2, 22))


@pytest.fixture(autouse=True)
def kept(settings):
    settings.ORGANIZATION_REPORT_KEPT_SECONDS = 300


def shown(figures, now, *, organization=None, period=FEBRUARY, row_limit=50):
    """Every section's rows and note as the page shows them, and whether the figures were counted (their statement
    ran) or reused."""
    with CaptureQueriesContext(connection) as queries:
        tables = organization_report(
            organization=organization or figures.network.site, period=period, now=now, row_limit=row_limit
        )
    counted = any(query["sql"].startswith("WITH ") for query in queries.captured_queries)
    return [(table.slug, table.rows, table.note) for table in tables], counted


def counted_afresh(figures, now, **options):
    with override_settings(ORGANIZATION_REPORT_KEPT_SECONDS=0):
        tables, counted = shown(figures, now, **options)
    assert counted
    return tables


def section(tables, slug):
    return next(rows for name, rows, _ in tables if name == slug)


def test_a_second_view_reuses_the_figures_with_one_question_and_shows_what_counting_would(figures):
    now = timezone.now()
    first, counted = shown(figures, now)
    assert counted
    later = now + timedelta(minutes=3)
    with CaptureQueriesContext(connection) as queries:
        again, counted_again = shown(figures, later)
    assert not counted_again
    assert len(queries) == 1  # the fingerprint: the period's referrals, per direction
    assert again == counted_afresh(figures, later)
    assert section(again, "summary") == section(first, "summary")


@pytest.mark.parametrize("row_limit", [50, None])
def test_the_page_and_the_csv_keep_their_own_figures(figures, row_limit):
    """The CSV's statement has no row limit: its figures are kept apart from the page's."""
    now = timezone.now()
    assert shown(figures, now, row_limit=row_limit)[1]
    assert not shown(figures, now, row_limit=row_limit)[1]
    assert shown(figures, now, row_limit=100 if row_limit else 50)[1]


def test_another_organization_or_period_counts_its_own(figures):
    now = timezone.now()
    assert shown(figures, now)[1]
    assert shown(figures, now, organization=figures.network.provider)[1]
    assert shown(figures, now, period=Period(start=date(2026, 2, 2), end=date(2026, 2, 15)))[1]
    assert not shown(figures, now, organization=figures.network.provider)[1]


def test_a_change_made_through_the_services_is_counted(figures):
    n = figures.network
    now = timezone.now()
    before, _ = shown(figures, now)
    referral_change_status(actor=n.claimer, referral=figures.referrals[6], to_status="accepted")
    after, counted = shown(figures, now)
    assert counted
    assert after == counted_afresh(figures, now) != before
    # A change the report does not show (an assignment) raises the version too: counted again, the same figures.
    referral_assign(
        actor=n.claimer, referral=Referral.objects_across_tenants.get(pk=figures.referrals[6].pk), assignee=n.claimer
    )
    again, counted_again = shown(figures, now)
    assert counted_again and again == after


def test_a_referral_entered_in_error_or_a_new_one_is_counted(figures):
    n = figures.network
    now = timezone.now()
    shown(figures, now)
    referral_change_status(
        actor=n.referrer, referral=figures.referrals[11], to_status="entered_in_error", note="Wrong person."
    )
    after, counted = shown(figures, now)
    assert counted and after == counted_afresh(figures, now)
    # A referral sent today, in a period that ends today.
    today = Period(start=timezone.localdate() - timedelta(days=6), end=timezone.localdate())
    before, _ = shown(figures, now, period=today)
    n.refer()
    after, counted = shown(figures, now, period=today)
    assert counted
    assert section(after, "summary")[0][1] == section(before, "summary")[0][1] + 1


def test_a_deadline_passing_counts_again(figures):
    """R6 (sent 17 February 9:00 to the Pantry, 72 hours, never answered) becomes overdue on 20 February at 9:00: a
    view before that reuses the figures, a view after counts it among those needing follow-up."""
    first, counted = shown(figures, at(2, 18, 9))
    assert counted
    overdue_later = section(counted_afresh(figures, at(2, 21, 9)), "follow-up")
    assert len(section(first, "follow-up")) + 1 == len(overdue_later)
    before, counted = shown(figures, at(2, 20, 8, 59))
    assert not counted and before == counted_afresh(figures, at(2, 20, 8, 59))
    after, counted = shown(figures, at(2, 20, 9, 1))
    assert counted and after == counted_afresh(figures, at(2, 20, 9, 1)) != before


def test_figures_counted_at_a_later_moment_are_not_reused_for_an_earlier_one(figures):
    assert shown(figures, at(2, 21, 9))[1]
    assert shown(figures, at(2, 18, 9))[1]


def test_a_referral_stalling_counts_again_and_the_days_stalled_grow_with_the_clock(figures):
    """R4 (accepted, open) stalls on 1 March; once stalled, its days stalled grow with each view, reused or not."""
    Referral.objects_across_tenants.filter(pk=figures.referrals[4].pk).update(stall_due_at=at(3, 1, 9))
    _, counted = shown(figures, at(2, 28, 9))
    assert counted
    before, counted = shown(figures, at(3, 1, 8))
    assert not counted and before == counted_afresh(figures, at(3, 1, 8))
    stalled, counted = shown(figures, at(3, 1, 10))
    assert counted and section(stalled, "stalled")[0][1] == 1
    later, counted = shown(figures, at(3, 3, 10))
    assert not counted
    assert later == counted_afresh(figures, at(3, 3, 10))
    assert section(later, "stalled")[0][2] == round(section(stalled, "stalled")[0][2] + 2, 1)


def test_the_kept_figures_expire_after_the_setting_s_seconds(figures, settings):
    """They are kept with the cache's own timeout: ORGANIZATION_REPORT_KEPT_SECONDS."""
    from django.core.cache import cache

    settings.ORGANIZATION_REPORT_KEPT_SECONDS = 42
    now = timezone.now()
    with mock.patch("reports.selectors.cache.set", wraps=cache.set) as kept_with:
        assert shown(figures, now)[1]
    [(key, seconds)] = [(call.args[0], call.kwargs["timeout"]) for call in kept_with.call_args_list]
    assert seconds == 42 and key == KeptFigures(_figures(figures, now)).key()
    cache.delete(key)  # what the timeout does
    assert shown(figures, now)[1]


def _figures(figures, now):
    from reports.selectors import OrganizationFigures

    return OrganizationFigures(organization=figures.network.site, period=FEBRUARY, now=now, row_limit=50)


def test_an_unreachable_cache_counts_the_figures_as_usual(figures, client):
    client.force_login(figures.network.site_admin)
    with mock.patch("reports.selectors.cache.get", side_effect=ConnectionError("down")):
        response = client.get("/reports/", PERIOD)
    assert response.status_code == 200
    with mock.patch("reports.selectors.cache.set", side_effect=ConnectionError("down")):
        assert client.get("/reports/", PERIOD).status_code == 200


def test_the_page_reuses_them_and_shows_the_same(figures, client):
    client.force_login(figures.network.site_admin)
    first = client.get("/reports/", PERIOD)
    with CaptureQueriesContext(connection) as queries:
        second = client.get("/reports/", PERIOD)
    assert not any(query["sql"].startswith("WITH ") for query in queries.captured_queries)
    # (The follow-up list's hours waiting move with the clock between the two views.)
    assert [table.rows for table in second.context["tables"] if table.slug != "follow-up"] == [
        table.rows for table in first.context["tables"] if table.slug != "follow-up"
    ]


def test_the_fingerprint_is_read_from_the_covering_indexes_only(figures):
    """Both directions from index-only scans: every column the fingerprint reads is in REPORT_COLUMNS."""
    import re

    from referrals.models import REPORT_COLUMNS

    sql, _ = KeptFigures(_figures(figures, timezone.now())).statement()
    table = Referral._meta.db_table
    read = set(re.findall(rf'"{table}"\."(\w+)"', sql))
    held = {Referral._meta.get_field(name).column for name in [*REPORT_COLUMNS, "sent_at"]}
    assert {"version", "id", "sent_at"} <= read <= held, read - held
