"""The public directory's words: the network's categories and language names in the page's language, and what
a program wrote itself (only in English) marked as English on a Spanish page."""

from urllib.parse import urlencode

from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils import formats
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, get_language_info, gettext, ngettext, pgettext

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


@register.simple_tag
def accepting(program):
    """Whether ``program`` takes new people now, its waitlist, open slots and when it last said so ("Accepting new
    people now · 3 open slots (updated 2 days ago)"), in the page's language: on each result of the directory, its
    pages and the short list.

    What a ``find/_accepting.html`` include would print, to the character (the translated words escaped as
    ``{% translate %}`` escapes them, the numbers and times as ``{% blocktranslate %}`` prints its values), built
    here because the include and its two translation blocks cost ~7 of a results page's ~16 ms of CPU.
    tests/find/test_accepting.py renders both in English and Spanish for every state a program can be in."""
    if not program.accepts_referrals:
        return SafeString(
            f'<span class="badge badge-bad">{conditional_escape(gettext("Not accepting new people right now"))}</span>'
        )
    parts = [f'<span class="badge badge-ok">{conditional_escape(gettext("Accepting new people now"))}</span>']
    if program.on_waitlist:
        waitlist = pgettext("a program's state: no open slot", "Waitlist")
        parts.append(f' <span class="badge badge-warn">{conditional_escape(waitlist)}</span>')
    slots = program.capacity_available
    if slots is not None:
        words = ngettext("%(slots)s open slot", "%(slots)s open slots", slots)
        parts.append(" · " + words % {"slots": conditional_escape(str(formats.localize(slots)))})
        if program.capacity_updated_at:
            since = conditional_escape(naturaltime(program.capacity_updated_at))
            parts.append(f' <span class="muted">({gettext("updated %(since)s") % {"since": since}})</span>')
    return SafeString("".join(parts))
