"""The one reader of phone numbers: what a person typed becomes E.164 ("+13125550142") or a clear refusal.

Parsing and validity come from Google's libphonenumber rules (the ``phonenumbers`` package, through
django-phonenumber-field's ``PhoneNumber``): a number without a country code is read in
``PHONE_DEFAULT_REGION`` (US unless set), so "312-555-0142", "(312) 555 0142" and "+1 312 555 0142" are one
number, and numbers no carrier can have ("111-111-1111": no such area code; "000 000 0000") are refused as
firmly as letters and numbers too short to dial.

Everything that stores a phone (seekers' profiles through ``seekers.validation``, the API, FHIR's telecom)
keeps the E.164 string; pages show it with ``phone_display``.
"""

from __future__ import annotations

import functools
import re

import phonenumbers
from django.conf import settings
from django.utils.translation import gettext_noop
from phonenumber_field.phonenumber import PhoneNumber

__all__ = ["parse_phone", "phone_display", "is_textable", "PhoneNumberRefused"]

# The messages are English (staff pages); pages for the public translate them (gettext_noop marks them).
# Digits, spaces and the usual punctuation; a leading "+" for a country code.
PHONE_CHARACTERS = re.compile(r"^\+?[0-9\s().-]*$", re.ASCII)

PHONE_CHARACTERS_MESSAGE = gettext_noop("A phone number has only digits (and spaces, dashes or brackets).")
PHONE_LENGTH_MESSAGE = gettext_noop(
    "Enter the whole phone number with its area code: a ten-digit phone number, like 312-555-0142."
)
PHONE_INVALID_MESSAGE = gettext_noop(
    "That is not a phone number anyone can have (check the area code and the number), like 312-555-0142."
)
PHONE_TOO_LONG_MESSAGE = gettext_noop("That phone number has too many digits; enter it like 312-555-0142.")


class PhoneNumberRefused(ValueError):
    """The text is not a phone number; ``str(error)`` says why, for the person who typed it."""


def default_region() -> str:
    return getattr(settings, "PHONE_DEFAULT_REGION", "US")


def _parse(value: str) -> PhoneNumber:
    text = (value or "").strip()
    if not PHONE_CHARACTERS.match(text) or not re.search(r"[0-9]", text):
        raise PhoneNumberRefused(PHONE_CHARACTERS_MESSAGE)
    try:
        number = PhoneNumber.from_string(text, region=default_region())
    except phonenumbers.NumberParseException as error:
        if error.error_type == phonenumbers.NumberParseException.TOO_LONG:
            raise PhoneNumberRefused(PHONE_TOO_LONG_MESSAGE) from None
        raise PhoneNumberRefused(PHONE_LENGTH_MESSAGE) from None
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible in (
        phonenumbers.ValidationResult.TOO_SHORT,
        phonenumbers.ValidationResult.INVALID_LENGTH,
        phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY,
    ):  # "555-0142": no area code
        raise PhoneNumberRefused(PHONE_LENGTH_MESSAGE)
    if possible == phonenumbers.ValidationResult.TOO_LONG:
        raise PhoneNumberRefused(PHONE_TOO_LONG_MESSAGE)
    if not number.is_valid():
        raise PhoneNumberRefused(PHONE_INVALID_MESSAGE)
    return number


def parse_phone(value: str) -> str:
    """``value`` as E.164 ("+13125550142"), "" for a blank, or ``PhoneNumberRefused`` with the reason."""
    if not (value or "").strip():
        return ""
    return _parse(value).as_e164


def is_e164(value: str) -> bool:
    """Whether ``value`` is a stored, valid number (profiles made before validation may hold other text)."""
    if not value or not value.startswith("+"):
        return False
    try:
        return _parse(value).as_e164 == value
    except PhoneNumberRefused:
        return False


@functools.lru_cache(maxsize=4096)  # every text's delivery asks again (sms.services.send_text)
def is_textable(value: str) -> bool:
    """Whether a text message may be sent to ``value``: a valid stored number that is not known to be a
    landline. Numbering plans such as North America's do not tell mobiles from landlines ("fixed line or
    mobile"): those are tried, and the provider's refusal of a landline marks the message failed."""
    if not is_e164(value):
        return False
    kind = phonenumbers.number_type(PhoneNumber.from_string(value))
    return kind not in (
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.TOLL_FREE,
        phonenumbers.PhoneNumberType.PREMIUM_RATE,
        phonenumbers.PhoneNumberType.SHARED_COST,
    )


def phone_display(value: str) -> str:
    """How a stored number reads on a page: "312-555-0142" for a number of the default region, "+44 20 7946
    0958" for another country; any other text (a number waiting to be checked) as it is."""
    if not is_e164(value):
        return value or ""
    number = PhoneNumber.from_string(value)
    if phonenumbers.region_code_for_number(number) == default_region():
        national = phonenumbers.national_significant_number(number)
        if number.country_code == 1 and len(national) == 10:
            return f"{national[:3]}-{national[3:6]}-{national[6:]}"
        return number.as_national
    return number.as_international
