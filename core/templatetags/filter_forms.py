"""``{{ form|filter_fields }}``: a list's filter form's fields, rendered once per set of choices and values
(core.forms.filter_fields)."""

from django import template
from django.utils.safestring import mark_safe

from core.forms import filter_fields as kept_filter_fields

register = template.Library()


@register.filter
def filter_fields(form, template: str = "includes/field_grid.html") -> str:
    """``{{ form|filter_fields }}``, or ``{{ form|filter_fields:"its/own/grid.html" }}`` for another layout."""
    return mark_safe(kept_filter_fields(form, template))  # noqa: S308  (Django's own rendering of the form's fields)
