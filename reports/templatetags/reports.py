from django import template
from django.utils.html import format_html

from ..selectors import Link, cell_text

register = template.Library()


@register.filter
def report_cell(value):
    """A table cell as the page shows it: the CSV's text, a link for links, a dash for no figure."""
    if isinstance(value, Link):
        return format_html('<a href="{}">{}</a>', value.url, value.text)
    text = cell_text(value)
    return text if text != "" else "—"


@register.filter
def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)
