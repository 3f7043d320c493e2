"""The reports ask the database a fixed number of questions, however many referrals there are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.services import team_create
from tests import factories

from .conftest import PERIOD, at

pytestmark = pytest.mark.django_db


def count_queries(client, url):
    client.get(url, PERIOD)  # the first request of a session may write the session; count the next one
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, PERIOD)
    assert response.status_code == 200
    return len(queries)


def add_referrals(figures, count):
    """More referrals, spread over more programs, teams, people and weeks."""
    from referrals.models import Referral

    n = figures.network
    team = team_create(organization=n.site, name=f"Team {count}")
    for index in range(count):
        person = factories.worker(n.site, team=team)
        program = factories.ProgramFactory(organization=n.provider)
        seeker = factories.SeekerFactory(organization=n.site, created_by=person, zip_code=f"606{index:02d}")
        referral = factories.referral(referrer=person, seeker=seeker, program=program)
        Referral.objects_across_tenants.filter(pk=referral.pk).update(sent_at=at(2, 2 + index, 10))


@pytest.mark.parametrize("url", ["/reports/", "/reports/network/"])
def test_the_query_count_does_not_grow_with_the_referrals(client, figures, url, django_assert_max_num_queries):
    user = figures.network_admin if "network" in url else figures.network.site_admin
    client.force_login(user)
    before = count_queries(client, url)
    add_referrals(figures, 12)
    after = count_queries(client, url)
    assert after == before
    with django_assert_max_num_queries(before):
        client.get(url, PERIOD)


@pytest.mark.parametrize("url", ["/reports/", "/reports/network/"])
def test_each_report_reads_the_referrals_in_one_statement(client, figures, url):
    client.force_login(figures.network_admin if "network" in url else figures.network.site_admin)
    client.get(url, PERIOD)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, PERIOD).status_code == 200
    assert len([query for query in queries if "referrals_referral" in query["sql"]]) == 1


@pytest.mark.parametrize("row_limit", [None, 50])
def test_the_statement_written_once_binds_each_reports_own_values(figures, row_limit):
    """The organization report's statement is written once per process with placeholders, then each report binds
    its organization, "now" and period (and its weeks' first moments) in their places: the result is the statement the ORM writes for that
    report itself, to the last parameter (for two organizations, two periods and two moments)."""
    from datetime import date

    from django.db import connection
    from django.utils import timezone

    from reports.selectors import OrganizationFigures, Period, _written_statement

    n = figures.network
    cases = [
        (n.site, Period(start=date(2026, 2, 2), end=date(2026, 2, 22)), at(2, 23, 9)),
        (n.provider, Period(start=date(2025, 3, 1), end=date(2026, 2, 28)), timezone.now()),
    ]
    for organization, period, now in cases:
        report = OrganizationFigures(organization=organization, period=period, now=now, row_limit=row_limit)
        sql, params = _written_statement(connection, row_limit)
        adapt = connection.ops.adapt_datetimefield_value
        values = {
            "organization": organization.pk,
            "now": adapt(now),
            "since": adapt(period.since),
            "until": adapt(period.until),
        }
        if connection.vendor == "postgresql":  # the moments its weeks begin (reports.selectors._week_of)
            values["weeks"] = [adapt(moment) for moment in period.week_starts]
        bound = [values[slot] if slot else param for slot, param in params]
        assert (sql, comparable(bound)) == (report.statement()[0], comparable(report.statement()[1]))
        assert {slot for slot, _ in params} == {None, *values}


def comparable(params):
    """Parameters as values (psycopg2's JSON adapters do not compare by what they hold)."""
    return [getattr(param, "adapted", param) for param in params]


def test_the_statement_reads_only_columns_its_covering_indexes_hold(figures):
    """Both directions' referrals can come from index-only scans of the covering indexes (referrals 0017): every
    column of the referrals table the statement reads is in both. A column added to the report's rows without
    adding it to ``REPORT_COLUMNS`` would send every row of the period back to the table's pages."""
    import re

    from referrals.models import REPORT_COLUMNS, Referral
    from reports.selectors import OrganizationFigures, Period

    report = OrganizationFigures(
        organization=figures.network.site, period=Period.default(), now=at(2, 23, 9), row_limit=50
    )
    sql, _ = report.statement()
    table = Referral._meta.db_table
    read = set(re.findall(rf'"{table}"\."(\w+)"', sql))
    held = {Referral._meta.get_field(name).column for name in [*REPORT_COLUMNS, "sent_at"]}
    assert "sent_at" in read and "first_response_at" in read  # the pattern finds what the statement reads
    assert read <= held, read - held
    indexes = {index.name: index for index in Referral._meta.indexes}
    for name, key in [("referral_sent_report", "organization"), ("referral_received_report", "program")]:
        index = indexes[name]
        assert set(index.fields) | set(index.include) == {*REPORT_COLUMNS, "sent_at"}, name
        assert index.fields == [key, "sent_at"]
