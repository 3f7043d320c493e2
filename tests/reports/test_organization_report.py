"""Every figure of the organization report, against the hand-built network of conftest.py."""

import pytest

from programs.models import Program
from reports import views
from reports.selectors import cell_text

from .conftest import PERIOD

pytestmark = pytest.mark.django_db

NO_FIGURES = ["0", "0", "", "", "", "0", "0", "0", "0", "0", "0", "0"]


def report(client, user, organization=None, **params):
    client.force_login(user)
    query = {**PERIOD, **params}
    if organization is not None:
        query["organization"] = str(organization.public_id)
    response = client.get("/reports/", query)
    assert response.status_code == 200, response.content
    return {
        table.slug: [[cell_text(cell) for cell in row] for row in table.rows] for table in response.context["tables"]
    }


def link(referral):
    return f"/referrals/{referral.public_id}/"


def test_it_sums_up_what_the_site_sent(client, figures):
    tables = report(client, figures.network.site_admin)
    assert tables["summary"] == [
        # referrals, answered, median h, p90 h, % within, got help, declined, not completed, withdrawn, open,
        # disagreements, need follow-up
        ["Sent (outbound)", "9", "5", "30.0", "80.0", "28.6", "1", "2", "1", "2", "3", "1", "1"],
        ["Received (inbound)", *NO_FIGURES],
    ]


def test_it_breaks_the_site_figures_down_by_program_team_and_person(client, figures):
    tables = report(client, figures.network.site_admin)
    assert tables["outbound-by-program"] == [
        ["Community Food Pantry", "4", "3", "10.0", "82.0", "50.0", "1", "2", "0", "0", "1", "0", "1"],
        ["Emergency Rental Assistance", "2", "1", "50.0", "50.0", "0.0", "0", "0", "0", "1", "1", "0", "0"],
        ["Long Wait Program", "1", "0", "", "", "", "0", "0", "0", "0", "1", "0", "0"],
        ["Mobile Food Market", "2", "1", "30.0", "30.0", "0.0", "0", "0", "1", "1", "0", "1", "0"],
    ]
    assert tables["outbound-by-team"] == [
        ["Care Navigation", "7", "4", "30.0", "85.0", "40.0", "1", "2", "0", "2", "2", "0", "0"],
        ["Intake", "2", "1", "30.0", "30.0", "0.0", "0", "0", "1", "0", "1", "1", "1"],
    ]
    assert tables["outbound-by-person"] == [
        ["James Lee", "2", "1", "10.0", "10.0", "100.0", "0", "1", "0", "1", "0", "0", "0"],
        ["Maria Garcia", "5", "3", "50.0", "90.0", "25.0", "1", "1", "0", "1", "2", "0", "0"],
        ["Priya Shah", "2", "1", "30.0", "30.0", "0.0", "0", "0", "1", "0", "1", "1", "1"],
    ]
    assert tables["inbound-by-program"] == []
    assert tables["inbound-by-organization"] == []


def test_it_counts_the_site_referrals_per_week_response_time_and_outcome(client, figures):
    tables = report(client, figures.network.site_admin)
    assert tables["weekly"] == [["2026-02-02", "2", "0"], ["2026-02-09", "2", "0"], ["2026-02-16", "5", "0"]]
    assert tables["response-times"] == [
        ["Under 1 hour", "0", "0"],
        ["1 to 4 hours", "1", "0"],
        ["4 to 24 hours", "1", "0"],
        ["1 to 3 days", "2", "0"],
        ["3 to 7 days", "1", "0"],
        ["More than 7 days", "0", "0"],
        ["Not answered", "4", "0"],
    ]
    assert tables["outcomes"] == [
        ["Got help", "1", "0"],
        ["Declined: Not eligible", "1", "0"],
        ["Declined: No capacity", "1", "0"],
        ["Declined: Out of service area", "0", "0"],
        ["Declined: Other", "0", "0"],
        ["Declined: Forwarded to another program", "0", "0"],
        ["Not completed: Couldn't contact the seeker", "1", "0"],
        ["Not completed: Couldn't get help", "0", "0"],
        ["Withdrawn: No longer interested", "1", "0"],
        ["Withdrawn: Referred elsewhere", "0", "0"],
        ["Withdrawn: Expired with no response", "1", "0"],
        ["Still open", "3", "0"],
    ]


def test_it_lists_the_referrals_that_need_follow_up_and_the_disagreements(client, figures):
    tables = report(client, figures.network.site_admin)
    [follow_up] = tables["follow-up"]
    assert follow_up[:4] + follow_up[5:] == [
        "Sent (outbound)",
        "2026-02-17",
        "Community Food Pantry",
        "Priya Shah",
        "72",
        link(figures.referrals[6]),
    ]
    assert float(follow_up[4]) > 24 * 270  # waiting since 17 February 2026
    assert tables["disagreements"] == [
        [
            "Sent (outbound)",
            "2026-02-09",
            "Mobile Food Market",
            "Got help",
            "Not completed",
            link(figures.referrals[3]),
        ],
    ]


def test_the_page_links_each_referral_that_needs_follow_up(client, figures):
    client.force_login(figures.network.site_admin)
    response = client.get("/reports/", PERIOD)
    assert f'href="{link(figures.referrals[6])}"' in response.content.decode()


def test_the_provider_admin_sees_inbound_figures(client, figures):
    tables = report(client, figures.network.provider_admin)
    assert tables["summary"] == [
        ["Sent (outbound)", *NO_FIGURES],
        ["Received (inbound)", "8", "6", "15.0", "65.0", "57.1", "2", "3", "1", "1", "1", "2", "1"],
    ]
    assert tables["inbound-by-program"] == [
        ["Community Food Pantry", "5", "4", "7.0", "73.0", "60.0", "2", "2", "0", "0", "1", "1", "1"],
        ["Mobile Food Market", "3", "2", "25.0", "29.0", "50.0", "0", "1", "1", "1", "0", "1", "0"],
    ]
    assert tables["inbound-by-organization"] == [
        ["Eastlake School District", "2", "2", "12.0", "18.4", "100.0", "1", "1", "0", "0", "0", "1", "0"],
        ["Northside Health Center", "6", "4", "20.0", "79.0", "40.0", "1", "2", "1", "1", "1", "1", "1"],
    ]
    assert tables["outbound-by-program"] == []
    assert tables["weekly"] == [["2026-02-02", "0", "3"], ["2026-02-09", "0", "2"], ["2026-02-16", "0", "3"]]
    assert tables["response-times"] == [
        ["Under 1 hour", "0", "0"],
        ["1 to 4 hours", "0", "1"],
        ["4 to 24 hours", "0", "3"],
        ["1 to 3 days", "0", "1"],
        ["3 to 7 days", "0", "1"],
        ["More than 7 days", "0", "0"],
        ["Not answered", "0", "2"],
    ]
    assert [row[2] for row in tables["outcomes"]] == ["2", "1", "2", "0", "0", "0", "1", "0", "1", "0", "0", "1"]
    assert [row[0] for row in tables["follow-up"]] == ["Received (inbound)"]
    assert tables["follow-up"][0][-1] == link(figures.referrals[6])
    assert tables["disagreements"] == [
        [
            "Received (inbound)",
            "2026-02-04",
            "Community Food Pantry",
            "Not completed",
            "Got help",
            link(figures.referrals[12]),
        ],
        [
            "Received (inbound)",
            "2026-02-09",
            "Mobile Food Market",
            "Got help",
            "Not completed",
            link(figures.referrals[3]),
        ],
    ]


def test_a_referral_closed_unanswered_before_its_expected_time_is_not_counted_late(client, figures):
    # Hope Housing received R4 (answered late), R8 (expired unanswered), R11 (not yet due), R14 (overdue).
    tables = report(client, figures.housing_admin)
    assert tables["summary"][1] == [
        "Received (inbound)",
        "4",
        "1",
        "50.0",
        "50.0",
        "0.0",
        "0",
        "0",
        "0",
        "1",
        "3",
        "0",
        "1",
    ]
    assert [(row[2], row[-1]) for row in tables["follow-up"]] == [("Silent Shelter", link(figures.referrals[14]))]


def test_the_dates_choose_the_referrals(client, figures):
    tables = report(client, figures.network.site_admin, start="2026-01-26", end="2026-02-08")
    # R10 (30 January) comes in; the weeks of 9 and 16 February go out.
    assert tables["weekly"] == [["2026-01-26", "1", "0"], ["2026-02-02", "2", "0"]]
    assert tables["summary"][0][:3] == ["Sent (outbound)", "3", "3"]


def test_the_default_period_is_the_last_ninety_days(client, network):
    network.refer()
    client.force_login(network.site_admin)
    response = client.get("/reports/")
    assert response.status_code == 200
    period = response.context["period"]
    assert (period.end - period.start).days == 89
    tables = {table.slug: table for table in response.context["tables"]}
    assert tables["summary"].rows[0][1] == 1


def test_the_page_draws_accessible_charts_beside_their_tables(client, figures):
    client.force_login(figures.network.site_admin)
    page = client.get("/reports/", PERIOD).content.decode()
    assert page.count("<svg") == 4
    assert 'role="img"' in page and "<title id=" in page and "<desc id=" in page
    assert "style=" not in page
    assert "<script>" not in page


def test_the_page_shows_the_first_rows_of_a_long_breakdown_and_the_csv_all_of_them(client, figures, monkeypatch):
    monkeypatch.setattr(views, "PAGE_ROW_LIMIT", 2)
    # The program made last comes first by name: the first rows by name are not the first by id.
    Program.objects_across_tenants.filter(pk=figures.long_wait.pk).update(name="Adult Day Care")
    client.force_login(figures.network.site_admin)
    response = client.get("/reports/", PERIOD)
    tables = {table.slug: table for table in response.context["tables"]}
    by_program = tables["outbound-by-program"]
    assert [[cell_text(cell) for cell in row] for row in by_program.rows] == [
        ["Adult Day Care", "1", "0", "", "", "", "0", "0", "0", "0", "1", "0", "0"],
        ["Community Food Pantry", "4", "3", "10.0", "82.0", "50.0", "1", "2", "0", "0", "1", "0", "1"],
    ]
    assert by_program.note == "The first 2 rows: the CSV download has them all."
    assert "The first 2 rows: the CSV download has them all." in response.content.decode()
    assert tables["outbound-by-team"].note == ""  # two teams: all shown
    csv = client.get("/reports/outbound-by-program.csv", PERIOD).content.decode().splitlines()
    assert [line.split(",")[0] for line in csv[1:]] == [
        "Adult Day Care",
        "Community Food Pantry",
        "Emergency Rental Assistance",
        "Mobile Food Market",
    ]


def test_the_page_lists_fewer_referrals_per_direction_than_the_csv(client, figures, monkeypatch):
    monkeypatch.setattr(views, "PAGE_ROW_LIMIT", 1)
    client.force_login(figures.network.provider_admin)
    response = client.get("/reports/", PERIOD)
    disagreements = {table.slug: table for table in response.context["tables"]}["disagreements"]
    assert [cell_text(row[-1]) for row in disagreements.rows] == [link(figures.referrals[12])]  # the oldest
    assert disagreements.note == (
        "At most 1 per direction are listed here (the CSV download lists up to 100); the summary gives the full count."
    )
    csv = client.get("/reports/disagreements.csv", PERIOD).content.decode().splitlines()
    assert [line.rsplit(",", 1)[1] for line in csv[1:]] == [link(figures.referrals[12]), link(figures.referrals[3])]


def test_keyboard_users_can_scroll_the_wide_tables(client, figures):
    client.force_login(figures.network.site_admin)
    page = client.get("/reports/", PERIOD).content.decode()

    assert page.count('class="table-scroll"') == page.count('class="table-scroll" tabindex="0" role="region"') > 0
    assert 'aria-label="Summary (table)"' in page
