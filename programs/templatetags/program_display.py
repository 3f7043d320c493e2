"""How programs read on the pages seekers see."""

from django import template
from django.utils import translation

register = template.Library()


@register.simple_tag
def next_steps(program):
    """``{% next_steps program as steps %}``: ``Program.next_steps_in`` the page's active language."""
    return program.next_steps_in(translation.get_language())
