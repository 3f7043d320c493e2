"""The public directory's words: the network's categories and language names in the page's language, and what
a program wrote itself (only in English) marked as English on a Spanish page."""

from urllib.parse import urlencode

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language, get_language_info, gettext

register = template.Library()


@register.simple_tag
def category_label(category):
    """The category's name in the page's language; an imported category nobody translated keeps its English
    name, marked lang="en" on a page in another language."""
    translated = gettext(category.name)
    if translated == category.name and (get_language() or "en").split("-")[0] != "en":
        return format_html('<span lang="en">{}</span>', category.name)
    return translated


@register.filter
def language_name(code):
    """ "Spanish" / "español" for "es", in the page's language; a code Django does not know, as it is."""
    try:
        info = get_language_info(str(code))
    except KeyError:
        return code
    return gettext(info["name"])


@register.filter
def language_query(language, here):
    """The language switch's query: which language, and the page to come back to."""
    return urlencode({"language": language, "next": here})
