"""Every figure of the network scorecard, against the hand-built network of conftest.py."""

import pytest

from reports import views
from reports.selectors import cell_text

from .conftest import PERIOD

pytestmark = pytest.mark.django_db


def scorecard(client, figures):
    client.force_login(figures.network_admin)
    response = client.get("/reports/network/", PERIOD)
    assert response.status_code == 200
    return {
        table.slug: [[cell_text(cell) for cell in row] for row in table.rows] for table in response.context["tables"]
    }


def test_it_counts_referrals_by_category(client, figures):
    assert scorecard(client, figures)["by-category"] == [
        # category, referrals, got help, declined for no capacity, declined as not eligible
        ["Food", "8", "2", "2", "1"],
        ["Housing", "3", "0", "0", "0"],
        ["Uncategorized", "1", "0", "0", "0"],
    ]


def test_it_counts_referrals_by_category_and_the_seekers_zip_code(client, figures):
    assert scorecard(client, figures)["by-category-zip"] == [
        ["Food", "60601", "2", "1"],
        ["Food", "60625", "2", "0"],
        ["Food", "60640", "4", "1"],
        ["Housing", "60601", "1", "0"],
        ["Housing", "60625", "1", "0"],
        ["Housing", "60640", "1", "0"],
        ["Uncategorized", "60640", "1", "0"],
    ]


def test_it_shows_the_unmet_needs(client, figures):
    assert scorecard(client, figures)["unmet-needs"] == [
        # category, zip, no capacity, not eligible, total
        ["Food", "60601", "1", "0", "1"],
        ["Food", "60625", "0", "1", "1"],
        ["Food", "60640", "1", "0", "1"],
    ]


def test_it_names_the_programs_that_never_answer(client, figures):
    assert scorecard(client, figures)["never-answer"] == [
        # program, organization, received, unanswered past the expected time, first received on
        ["Long Wait Program", "Hope Housing", "1", "0", "2026-02-21"],
        ["Silent Shelter", "Hope Housing", "1", "1", "2026-02-05"],
    ]


def test_the_scorecard_draws_its_charts(client, figures):
    client.force_login(figures.network_admin)
    page = client.get("/reports/network/", PERIOD).content.decode()
    assert page.count("<svg") == 4
    assert "style=" not in page


def test_the_scorecard_shows_the_first_rows_of_each_table_and_the_csv_all_of_them(client, figures, monkeypatch):
    monkeypatch.setattr(views, "PAGE_ROW_LIMIT", 2)
    client.force_login(figures.network_admin)
    response = client.get("/reports/network/", PERIOD)
    tables = {table.slug: table for table in response.context["tables"]}
    assert [[cell_text(cell) for cell in row] for row in tables["by-category-zip"].rows] == [
        ["Food", "60601", "2", "1"],
        ["Food", "60625", "2", "0"],
    ]
    assert [[cell_text(cell) for cell in row] for row in tables["by-category"].rows] == [
        ["Food", "8", "2", "2", "1"],
        ["Housing", "3", "0", "0", "0"],
    ]
    assert tables["by-category"].note == "The first 2 rows: the CSV download has them all."
    assert tables["never-answer"].note == ""  # two programs: all shown
    csv = client.get("/reports/network/by-category-zip.csv", PERIOD).content.decode().splitlines()
    assert len(csv) == 1 + 7
