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
