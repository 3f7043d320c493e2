"""The network scorecard's figures are kept for a few minutes and counted ahead by the beat
(reports.selectors.network_figures_kept, reports.tasks.keep_network_scorecard)."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from referrals.kept import recount
from referrals.models import Referral
from referrals_site.celery import app
from reports import selectors, tasks
from reports.selectors import Period
from tests import factories

from .conftest import PERIOD, _make, at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def kept(settings):
    settings.NETWORK_SCORECARD_SECONDS = 300
    yield


def view(client, figures, **params):
    """The page's food referrals (the by-category table's first cell of figures) and its referral queries."""
    client.force_login(figures.network_admin)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/reports/network/", params or PERIOD)
    assert response.status_code == 200
    by_category = next(table for table in response.context["tables"] if table.slug == "by-category")
    food = next(row for row in by_category.rows if row[0] == "Food")
    counted = sum("referrals_referral" in query["sql"] for query in queries.captured_queries)
    return food[1], counted, response


def add_food_referral(figures):
    network = figures.network
    _make(
        network,
        number=15,
        referrer=network.referrer,
        seeker=factories.SeekerFactory(organization=network.site, created_by=network.referrer, zip_code="60640"),
        program=network.program,
        sent=at(2, 10, 9),
    )
    recount()  # _make writes its times past the services, which keep the scorecard's counts


def test_a_second_view_reads_the_kept_figures_and_says_when_they_were_counted(client, figures):
    food, counted, first = view(client, figures)
    assert (food, counted) == (8, 1)
    again, counted_again, second = view(client, figures)
    assert (again, counted_again) == (8, 0)
    assert second.context["generated_at"] == first.context["generated_at"]
    assert "counted again every 5 minutes" in second.content.decode()


def test_the_kept_figures_are_the_periods_own(client, figures):
    view(client, figures)
    food, counted, _ = view(client, figures, start="2026-02-02", end="2026-02-10")
    assert counted == 1 and food != 8


def test_the_beat_counts_the_default_period_again(client, figures, monkeypatch):
    monkeypatch.setattr(selectors.timezone, "localdate", lambda: date(2026, 2, 22))  # the period ends today
    params = Period.default().query_string()
    food = view(client, figures, **params)[0]
    add_food_referral(figures)
    assert view(client, figures, **params)[:2] == (food, 0)  # kept: the new referral is not counted yet
    tasks.keep_network_scorecard()
    assert view(client, figures, **params)[:2] == (food + 1, 0)  # counted by the beat, read from the cache


def test_the_beat_schedules_it_within_the_time_the_figures_are_kept(settings):
    entries = [
        entry for entry in app.conf.beat_schedule.values() if entry["task"] == "reports.tasks.keep_network_scorecard"
    ]
    assert len(entries) == 1 and entries[0]["schedule"] < settings.NETWORK_SCORECARD_SECONDS


def test_a_csv_download_counts_as_of_the_moment(client, figures):
    view(client, figures)
    add_food_referral(figures)
    response = client.get("/reports/network/by-category.csv", PERIOD)
    assert response.status_code == 200
    assert "Food,9," in response.content.decode()


def test_without_a_cache_the_figures_are_counted(client, figures, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(selectors.cache, "get", down)
    monkeypatch.setattr(selectors.cache, "set", down)
    assert view(client, figures)[:2] == (8, 1)
    assert view(client, figures)[:2] == (8, 1)


def test_keeping_off_counts_on_every_view(client, figures, settings):
    settings.NETWORK_SCORECARD_SECONDS = 0
    view(client, figures)
    add_food_referral(figures)
    food, counted, response = view(client, figures)
    assert (food, counted) == (9, 1) and "counted again every" not in response.content.decode()


def test_only_network_admins_see_it_even_when_kept(client, figures):
    view(client, figures)
    client.force_login(figures.housing_admin)
    response = client.get("/reports/network/", PERIOD)
    assert response.status_code == 403 and "Food" not in response.content.decode()
    assert Referral.objects_across_tenants.count() >= 14
