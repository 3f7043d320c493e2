"""Phone numbers and addresses as links, on every page and email that shows one: a tap calls the number or
opens the address in the phone's map app.

    {% load contact_links %}
    {{ seeker.phone|phone_link }}      <a href="tel:+13125550142">312-555-0142</a>
    {% map_link program %}             <a href="https://www.google.com/maps/search/?api=1&query=…">4733 N Broadway St, Chicago</a>
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django import template
from django.utils.html import format_html

from core.phones import phone_display

register = template.Library()

# Google Maps' documented cross-platform URL: the maps app on Android and iOS when it is installed, the web
# map otherwise (a geo: URI opens nothing on a desktop or an iPhone).
MAP_SEARCH_URL = "https://www.google.com/maps/search/?"


@register.filter
def phone_text(value: str) -> str:
    """312-555-0142 for a stored number (E.164) of the default region, or for ten digits (programs' listings
    keep the text they were imported with); "+44 20 7946 0958" for another country; anything else as it is."""
    if value and value.startswith("+"):
        return phone_display(value)
    if value and len(value) == 10 and value.isdigit():
        return f"{value[:3]}-{value[3:6]}-{value[6:]}"
    return value


def tel_uri(value: str) -> str:
    """tel:+13125550142 for a North American number (10 digits, or 11 starting with 1), tel:+<digits> for one
    written with its country code, "" for text that is not a number."""
    digits = re.sub(r"\D", "", value or "")
    if value and value.strip().startswith("+") and 7 <= len(digits) <= 15:
        return f"tel:+{digits}"
    if len(digits) == 10:
        return f"tel:+1{digits}"
    if len(digits) == 11 and digits.startswith("1"):
        return f"tel:+{digits}"
    return ""


@register.filter
def phone_link(value: str):
    """The number as a tel: link (as text when it is not a number one can call)."""
    if not value:
        return ""
    uri = tel_uri(value)
    text = phone_text(value)
    return format_html('<a href="{}">{}</a>', uri, text) if uri else text


def address_text(place) -> str:
    """ "4733 N Broadway St, Chicago, IL 60640" from an object with address, city, state and zip_code."""
    parts = [getattr(place, name, "") or "" for name in ("address", "city")]
    state_zip = " ".join(
        part for part in (getattr(place, "state", "") or "", getattr(place, "zip_code", "") or "") if part
    )
    return ", ".join(part for part in [*parts, state_zip] if part)


@register.simple_tag
def map_link(place, text: str = ""):
    """The place's address as a link to a map (``text`` replaces the full address as the link's words)."""
    full = address_text(place)
    if not getattr(place, "address", ""):
        return text or full
    return format_html('<a href="{}">{}</a>', MAP_SEARCH_URL + urlencode({"api": 1, "query": full}), text or full)


@register.filter
def map_url(place) -> str:
    """The map address of a place (for plain-text emails)."""
    if not getattr(place, "address", ""):
        return ""
    return MAP_SEARCH_URL + urlencode({"api": 1, "query": address_text(place)})
