"""``{% jinja "name" %}`` (and ``{% jinja "name" key=value %}``): a Jinja2 partial (templates/jinja2/,
core.jinja2) inside a page in Django's language.

The partial sees the page's whole context: its variables, the context processors' (the request, and the CSRF
form field ``csrf_input`` from core.context_processors.csrf_once), as a Jinja2 template rendered by a view would.
"""

from django import template
from django.template import engines
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def jinja(context, name: str, **extra):
    """``{% jinja "name" key=value ... %}``: as ``{% include "name" with key=value %}``."""
    values = context.flatten()
    values.update(extra)
    # The backend's own template (jinja2.Template): rendered with these values, context processors not run again.
    # Jinja2 escaped what it printed (autoescape): the result is markup.
    return mark_safe(engines["jinja2"].get_template(name).template.render(values))  # noqa: S308
