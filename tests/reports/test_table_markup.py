"""The markup of a report table's rows (reports.templatetags.reports.report_rows), cell by cell."""

from datetime import date

from reports.selectors import Link, Table
from reports.templatetags.reports import report_rows


def test_each_kind_of_cell_has_its_markup():
    table = Table("t", "T", ["Name", "Count", "Hours", "None", "Text", "Flag", "Day", "Link"])
    table.rows = [
        ['Ann & "Bo" <i>', 3, 12.25, None, "<b>x</b>", True, date(2026, 2, 2), Link("Open", "/referrals/a?b=1&c=2")],
        [None, 0, 0.0, None, "", False, date(2026, 2, 9), Link("<x>", "/r/")],
    ]
    assert report_rows(table) == (
        '<tr><th scope="row">Ann &amp; &quot;Bo&quot; &lt;i&gt;</th><td class="number">3</td>'
        '<td class="number">12.2</td><td>—</td><td>&lt;b&gt;x&lt;/b&gt;</td><td>True</td><td>2026-02-02</td>'
        '<td><a href="/referrals/a?b=1&amp;c=2">Open</a></td></tr>\n'
        '<tr><th scope="row">—</th><td class="number">0</td><td class="number">0.0</td><td>—</td><td>—</td>'
        '<td>False</td><td>2026-02-09</td><td><a href="/r/">&lt;x&gt;</a></td></tr>'
    )


def test_a_table_without_rows_says_so():
    assert report_rows(Table("t", "T", ["A", "B"])) == (
        '<tr><td colspan="2" class="muted">No referrals in these dates.</td></tr>'
    )


def test_a_section_has_its_heading_chart_table_note_and_csv_link():
    from django.utils.safestring import mark_safe

    from reports.templatetags.reports import report_section

    table = Table("weekly", 'Per "week" & <day>', ["Week", "Sent"], description="Weeks <start>", note="The first 50")
    table.rows = [["2026-02-02", 2]]
    table.chart = mark_safe('<svg class="chart"></svg>')
    table.csv_url = "/reports/weekly.csv?a=1&b=2"
    title = "Per &quot;week&quot; &amp; &lt;day&gt;"
    assert report_section(table).split("\n") == [
        '<section class="card report-section" id="weekly" aria-labelledby="weekly-heading">',
        f'<h2 id="weekly-heading">{title}</h2>',
        '<p class="help">Weeks &lt;start&gt;</p>',
        '<div class="report-figure">',
        f'<figure class="report-chart" tabindex="0" role="region" aria-label="{title} (chart)">'
        '<svg class="chart"></svg></figure>',
        f'<div class="table-scroll" tabindex="0" role="region" aria-label="{title} (table)">',
        '<table class="report-table">',
        f'<caption class="visually-hidden">{title}</caption>',
        '<thead><tr><th scope="col">Week</th><th scope="col">Sent</th></tr></thead>',
        "<tbody>",
        '<tr><th scope="row">2026-02-02</th><td class="number">2</td></tr>',
        "</tbody>",
        "</table>",
        "</div>",
        "</div>",
        '<p class="help">The first 50</p>',
        f'<p><a href="/reports/weekly.csv?a=1&amp;b=2" download>Download “{title}” as CSV</a></p>',
        "</section>",
    ]
    wide = Table("wide", "Wide", [f"C{index}" for index in range(7)])
    wide.chart, wide.csv_url = mark_safe("<svg></svg>"), "/w.csv"
    assert '<div class="report-figure wide">' in report_section(wide)
    plain = Table("plain", "Plain", ["A"])
    plain.csv_url = "/p.csv"
    assert '<div class="">' in report_section(plain) and "<figure" not in report_section(plain)
