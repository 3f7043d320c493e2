"""The one reader of US zip codes, wherever one comes in: program search (web and API), a seeker's profile (web,
API, services, FHIR), the HSDS API's ``postcode`` and the HSDS import.

A zip code is five ASCII digits, optionally followed by the four of ZIP+4 (``60640-1234`` or ``606401234``); it
is kept as its five digits, since distances and "Start a referral" work by the five-digit zip. Digits of other
scripts (``６０６４０``, ``٦٠٦٤٠``) are refused with their own message: Python's ``\\d`` and ``str.isdigit`` accept
them, and nothing downstream (the zip-code table, the database's text search) expects them.
"""

from __future__ import annotations

import functools
import re

from .errors import InvalidInput

ZIP_CODE = re.compile(r"([0-9]{5})(?:-?[0-9]{4})?", re.ASCII)
# A zip code inside free text (an HSDS service area's description): not part of a longer run of digits.
ZIP_CODE_IN_TEXT = re.compile(r"(?<![0-9])([0-9]{5})(?:-[0-9]{4})?(?![0-9])", re.ASCII)

ZIP_MESSAGE = "Enter a five-digit zip code, like 60640 (ZIP+4 like 60640-1234 is fine)."
NON_ASCII_DIGITS_MESSAGE = "Write the zip code with the digits 0 to 9, like 60640."


class InvalidZipCode(InvalidInput, ValueError):
    """Also a ValueError, the refusal of the normalizers beside it (``seekers.validation.NORMALIZERS``)."""

    code = "invalid_zip_code"


@functools.lru_cache(maxsize=4096)
def timezone_for(zip_code: str) -> str | None:
    """The IANA time zone of a five-digit US zip code ("60640" → "America/Chicago"), or None when unknown.

    From the table embedded in the ``zipcodes`` package (already the zip-code reader of program search; offline),
    whose time zones come from unitedstateszipcodes.org's zip code database (the package's README, "Zipcode
    Data"). Text messages keep quiet hours by it (sms.quiet)."""
    if not zip_code or not ZIP_CODE.fullmatch(zip_code):
        return None
    import zipcodes

    try:
        matches = zipcodes.matching(zip_code[:5])
    except (ValueError, TypeError):
        return None
    return (matches[0].get("timezone") or None) if matches else None


def parse_zip(value, *, field: str | None = None) -> str:
    """The five-digit zip code of ``value`` ("" when blank), or InvalidZipCode naming ``field``."""
    value = "" if value is None else str(value).strip()
    if not value:
        return ""
    match = ZIP_CODE.fullmatch(value)
    if match:
        return match.group(1)
    if has_non_ascii_digits(value):
        raise InvalidZipCode(NON_ASCII_DIGITS_MESSAGE, code="non_ascii_digits", field=field)
    raise InvalidZipCode(ZIP_MESSAGE, field=field)


def has_non_ascii_digits(value: str) -> bool:
    """Whether ``value`` has a digit of another script (``６``, ``٦``, ``²``)."""
    return any(character.isdigit() and not character.isascii() for character in value or "")


def zip_or_none(value) -> str | None:
    """The five-digit zip code of ``value``, or None when it is blank or not a zip code (for readers that
    tolerate a bad one, such as an import that leaves it out with a warning)."""
    try:
        return parse_zip(value) or None
    except InvalidZipCode:
        return None


def zip_codes_in(text: str) -> list[str]:
    """The five-digit zip codes written in free text, in order."""
    return ZIP_CODE_IN_TEXT.findall(text or "")
