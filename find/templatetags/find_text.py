"""The public directory's words: the network's categories and language names in the page's language, and what
a program wrote itself (only in English) marked as English on a Spanish page."""

from urllib.parse import urlencode

from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.defaultfilters import floatformat, truncatewords
from django.utils import formats
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, get_language_info, gettext, ngettext, pgettext

from core.jinja2 import kept
from core.templatetags.contact_links import map_link, phone_link

register = template.Library()

# A results page asks the same few words of every card (~100 of its ~200 lookups through the active language):
# each one's translation is kept per language, as the catalogs it comes from are for as long as the process runs.
_TRANSLATED: dict[tuple, str] = {}


def _words(language: str, message: str, plural: str = "", number: int | None = None) -> str:
    """``gettext(message)``, or ``ngettext(message, plural, number)``, in ``language`` (the active one)."""
    key = (language, message, plural, number)
    found = _TRANSLATED.get(key)
    if found is None:
        found = gettext(message) if number is None else ngettext(message, plural, number)
        if len(_TRANSLATED) < 10_000:  # a slot count is any number: the words for the usual ones are kept
            _TRANSLATED[key] = found
    return found


@receiver(setting_changed)
def _forget_words(setting, **kwargs):
    if setting in ("LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS", "INSTALLED_APPS"):
        _TRANSLATED.clear()


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
def accepting(program, language=None):
    """Whether ``program`` takes new people now, its waitlist, open slots and when it last said so ("Accepting new
    people now · 3 open slots (updated 2 days ago)"), in the page's language: on each result of the directory, its
    pages and the short list.

    What a ``find/_accepting.html`` include would print, to the character (the translated words escaped as
    ``{% translate %}`` escapes them, the numbers and times as ``{% blocktranslate %}`` prints its values), built
    here because the include and its two translation blocks cost ~7 of a results page's ~16 ms of CPU.
    tests/find/test_accepting.py renders both in English and Spanish for every state a program can be in.
    ``language``: the active language, when the caller has read it (``result_card``)."""
    language = language or get_language() or ""
    if not program.accepts_referrals:
        refusal = conditional_escape(_words(language, "Not accepting new people right now"))
        return SafeString(f'<span class="badge badge-bad">{refusal}</span>')
    parts = [f'<span class="badge badge-ok">{conditional_escape(_words(language, "Accepting new people now"))}</span>']
    if program.on_waitlist:
        waitlist = pgettext("a program's state: no open slot", "Waitlist")
        parts.append(f' <span class="badge badge-warn">{conditional_escape(waitlist)}</span>')
    slots = program.capacity_available
    if slots is not None:
        words = _words(language, "%(slots)s open slot", "%(slots)s open slots", slots)
        parts.append(" · " + words % {"slots": conditional_escape(str(formats.localize(slots)))})
        if program.capacity_updated_at:
            since = conditional_escape(naturaltime(program.capacity_updated_at))
            updated = _words(language, "updated %(since)s") % {"since": since}
            parts.append(f' <span class="muted">({updated})</span>')
    return SafeString("".join(parts))


@register.simple_tag
def result_card(program, english=""):
    """One program among a search's results (find/search.html): its name and organization, categories, distance,
    whether it takes new people, phone, address and the start of its description, in the page's language;
    ``english`` marks what the program wrote itself (only in English) on a page in another language.

    What the card's lines in the template printed, to the character (the translated words as ``{% translate %}``
    and ``{% blocktranslate %}`` print them, the values escaped as Django's templates escape them), built here
    because those lines, their two translation tags and four filters a result cost ~5 of the page's ~9 ms of CPU.
    The card is kept per process by everything it prints (core.jinja2.kept) but whether the program takes new
    people, which is worked out each time (it says how long ago it was updated) and filled in. tests/find/test_result_card.py
    renders both in English and Spanish for programs of every kind."""
    escape, language = conditional_escape, get_language() or ""
    labels = "".join(f" · {escape(label)}" for label in program.category_labels)
    distance_miles = getattr(program, "distance_miles", None)  # a search without a zip code has none
    key = (
        "find result card",
        labels,
        distance_miles,
        program.city,
        program.phone,
        program.address,
        program.state,
        program.zip_code,
        program.description,
        program.url,
        program.name,
        program.organization.name,
        str(english),
    )
    return SafeString(
        kept(
            key,
            lambda accepting_line: _card(program, english, language, labels, distance_miles, accepting_line),
            where=(language,),
            fill={"accepting_line": accepting(program, language)},
        )
    )


def _card(program, english, language: str, labels: str, distance_miles, accepting_line: str) -> str:
    escape = conditional_escape
    distance = phone = address = description = ""
    if distance_miles is not None:
        miles = _words(language, "%(miles)s miles away") % {"miles": escape(floatformat(distance_miles, 1))}
        distance = f"<li>{miles}{f' ({escape(program.city)})' if program.city else ''}</li>"
    if program.phone:
        phone = f"<li>{_words(language, 'Phone:')} {escape(phone_link(program.phone))}</li>"
    if program.address:
        address = f"<li>{_words(language, 'Address:')} {escape(map_link(program))}</li>"
    if program.description:
        description = f"<p{english}>{escape(truncatewords(program.description, 30))}</p>"
    return (
        '<li class="card program-result">\n'
        f'      <h3><a href="{escape(program.url)}"{english}>{escape(program.name)}</a></h3>\n'
        f'      <p class="muted"><span{english}>{escape(program.organization.name)}</span>{labels}</p>\n'
        '      <ul class="program-facts">\n'
        f"        {distance}\n"
        f"        <li>{accepting_line}</li>\n"
        f"        {phone}\n"
        f"        {address}\n"
        "      </ul>\n"
        f"      {description}\n"
        "    </li>"
    )
