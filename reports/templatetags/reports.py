import functools
from datetime import date
from html import escape

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from ..selectors import Link, cell_text

register = template.Library()

_escaped = functools.lru_cache(maxsize=4096)(escape)


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
        if type(value.url) is str and type(value.text) is str:  # (format_html's escaping, without its lazy wrappers)
            content = f'<a href="{escape(value.url)}">{escape(value.text)}</a>'
        else:
            content = format_html('<a href="{}">{}</a>', value.url, value.text)
    elif kind is str:  # names and labels, which repeat down a table and from page to page
        content = _escaped(value) or "—"
    elif kind is date:  # its text (cell_text) has nothing to escape
        content = value.isoformat()
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
    return mark_safe("\n".join([_row(row) for row in table.rows]))  # every text is escaped in _cell


def _row(row) -> str:
    # Counts, the commonest cell, written here; the other kinds by _cell.
    cells = [f'<td class="number">{value}</td>' if type(value) is int else _cell(value, False) for value in row[1:]]
    return f"<tr>{_cell(row[0], True)}{''.join(cells)}</tr>"


@register.simple_tag
def report_section(table):
    """A report table's section (heading, description, chart, the table, its note and CSV link), built in Python
    like its rows: a page has sixteen of them, and the template engine took ~4 ms a page to render them."""
    title = escape(table.title)
    slug = escape(table.slug)
    parts = [
        f'<section class="card report-section" id="{slug}" aria-labelledby="{slug}-heading">',
        f'<h2 id="{slug}-heading">{title}</h2>',
    ]
    if table.description:
        parts.append(f'<p class="help">{escape(table.description)}</p>')
    if table.chart:
        parts.append(f'<div class="report-figure{" wide" if len(table.columns) > 6 else ""}">')
        # Focusable and named too: on a phone the chart is wider than the screen and scrolls.
        parts.append(
            f'<figure class="report-chart" tabindex="0" role="region" aria-label="{title} (chart)">'
            f"{conditional_escape(table.chart)}</figure>"
        )
    else:
        parts.append('<div class="">')
    head = "".join(f'<th scope="col">{escape(column)}</th>' for column in table.columns)
    parts += [
        # Focusable and named so that keyboard users can scroll a table wider than the screen.
        f'<div class="table-scroll" tabindex="0" role="region" aria-label="{title} (table)">',
        '<table class="report-table">',
        f'<caption class="visually-hidden">{title}</caption>',
        f"<thead><tr>{head}</tr></thead>",
        f"<tbody>\n{report_rows(table)}\n</tbody>",
        "</table>",
        "</div>",
        "</div>",
    ]
    if table.note:
        parts.append(f'<p class="help">{escape(table.note)}</p>')
    parts += [
        f'<p><a href="{escape(table.csv_url)}" download>Download “{title}” as CSV</a></p>',
        "</section>",
    ]
    return mark_safe("\n".join(parts))  # every text is escaped above; the chart is the safe SVG of reports.charts
