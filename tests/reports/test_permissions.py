"""Who may see which report."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Membership
from accounts.services import membership_set

from .conftest import PERIOD

pytestmark = pytest.mark.django_db


def test_it_sends_strangers_to_sign_in(client, network):
    response = client.get("/reports/")
    assert response.status_code == 302
    assert "next=/reports/" in response["Location"]


@pytest.mark.parametrize("person", ["referrer", "claimer", "outsider"])
def test_it_refuses_people_who_administer_no_organization(client, network, person):
    client.force_login(getattr(network, person))
    response = client.get("/reports/")
    assert response.status_code == 403
    assert "organization admins" in response.content.decode()
    assert client.get("/reports/summary.csv").status_code == 403


def test_it_shows_the_admin_their_own_organization(client, network):
    client.force_login(network.site_admin)
    response = client.get("/reports/")
    assert response.status_code == 200
    assert response.context["chosen"] == network.site
    assert "Reports: Northside Health Center" in response.content.decode()


@pytest.mark.parametrize("organization", ["other_site", "provider"])
def test_another_tenants_organization_is_not_found(client, network, organization):
    client.force_login(network.site_admin)
    public_id = str(getattr(network, organization).public_id)
    assert client.get("/reports/", {"organization": public_id}).status_code == 404
    assert client.get("/reports/summary.csv", {"organization": public_id}).status_code == 404


@pytest.mark.parametrize("value", ["not-a-uuid", "6f1c2b1e-0000-4000-8000-000000000001"])
def test_an_unknown_organization_is_not_found(client, network, value):
    client.force_login(network.site_admin)
    assert client.get("/reports/", {"organization": value}).status_code == 404


def test_an_organization_the_admin_only_works_for_is_forbidden(client, network):
    membership_set(user=network.site_admin, organization=network.other_site, role=Membership.Role.WORKER)
    client.force_login(network.site_admin)
    assert client.get("/reports/", {"organization": str(network.other_site.public_id)}).status_code == 403


def test_an_admin_of_several_organizations_picks_one(client, figures):
    admin = figures.network.site_admin
    membership_set(user=admin, organization=figures.network.provider, role=Membership.Role.ADMIN)
    client.force_login(admin)
    response = client.get("/reports/", PERIOD)
    # The first by name is the default: City Food Bank.
    assert response.context["chosen"] == figures.network.provider
    page = response.content.decode()
    assert '<label for="report-organization">Organization</label>' in page
    assert str(figures.network.site.public_id) in page
    chosen = client.get("/reports/", {**PERIOD, "organization": str(figures.network.site.public_id)})
    assert chosen.context["chosen"] == figures.network.site
    summary = {table.slug: table for table in chosen.context["tables"]}["summary"]
    assert summary.rows[0][1] == 9


def test_the_network_scorecard_is_for_network_admins(client, figures):
    client.force_login(figures.network.site_admin)
    assert client.get("/reports/network/").status_code == 403
    assert client.get("/reports/network/by-category.csv").status_code == 403
    client.force_login(figures.network_admin)
    assert client.get("/reports/network/").status_code == 200


def test_the_navigation_links_the_reports(client, figures):
    client.force_login(figures.network.site_admin)
    assert 'href="/reports/"' in client.get("/reports/").content.decode()
    client.force_login(figures.network_admin)
    assert 'href="/reports/network/"' in client.get("/reports/network/").content.decode()


@pytest.mark.parametrize(
    "params, message",
    [
        ({"start": "2026-02-30"}, "Enter the date as year-month-day"),
        ({"end": "yesterday"}, "Enter the date as year-month-day"),
        ({"start": "2026-03-01", "end": "2026-02-01"}, "The start date is after the end date."),
        ({"start": "2020-01-01", "end": "2026-01-01"}, "Choose at most three years at a time."),
        ({"start": "2999-01-01", "end": "2999-02-01"}, "Choose a date no later than"),
        ({"end": "0001-01-05"}, "Choose a date on or after 2000-01-01."),
        ({"start": "0001-01-01", "end": "2026-01-01"}, "Choose a date on or after 2000-01-01."),
        ({"end": "9999-12-31"}, "Choose a date no later than"),
        ({"start": "9999-12-31"}, "Choose a date no later than"),
    ],
)
def test_bad_dates_get_a_clear_message(client, network, params, message):
    client.force_login(network.site_admin)
    response = client.get("/reports/", params)
    assert response.status_code == 400
    assert message in response.content.decode()
    csv = client.get("/reports/summary.csv", params)
    assert csv.status_code == 400
    assert message in csv.content.decode()


def test_a_start_date_in_the_coming_year_is_in_the_future(client, network):
    start = timezone.localdate() + timedelta(days=30)
    client.force_login(network.site_admin)
    response = client.get("/reports/", {"start": start.isoformat(), "end": (start + timedelta(days=5)).isoformat()})
    assert response.status_code == 400
    assert "The start date is in the future" in response.content.decode()


def test_an_unknown_csv_is_not_found(client, network):
    client.force_login(network.site_admin)
    assert client.get("/reports/nothing.csv").status_code == 404
