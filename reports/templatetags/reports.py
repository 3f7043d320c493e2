from html import escape

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from ..selectors import Link, cell_text

register = template.Library()


def _cell(value, first: bool) -> str:
    """A table cell as the page shows it: the CSV's text, a link for links, a dash for no figure."""
    kind = type(value)
    # Most cells are counts and figures (a page has thousands): their text has nothing to escape.
    if kind is int and not first:
        return f'<td class="number">{value}</td>'
    if kind is float and not first:
        return f'<td class="number">{value:.1f}</td>'
    if value is None and not first:
        return "<td>—</td>"
    if kind is Link:
        content = format_html('<a href="{}">{}</a>', value.url, value.text)
    else:
        # The standard library's escape is Django's without its lazy-text wrapper.
        content = escape(cell_text(value)) or "—"
    if first:
        return f'<th scope="row">{content}</th>'
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    return f'<td class="number">{content}</td>' if number else f"<td>{content}</td>"


@register.simple_tag
def report_rows(table):
    """The body rows of a report table, built in Python: tables may have hundreds of rows."""
    if not table.rows:
        return format_html(
            '<tr><td colspan="{}" class="muted">No referrals in these dates.</td></tr>', len(table.columns)
        )
    return mark_safe(
        "\n".join(  # every text is escaped in _cell
            "<tr>" + "".join(_cell(value, index == 0) for index, value in enumerate(row)) + "</tr>"
            for row in table.rows
        )
    )
