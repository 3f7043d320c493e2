"""One set of rules for a seeker's zip code and phone, used by the web form, the API and the services.

Zip codes are stored as five digits (ZIP+4 input is accepted and shortened, since search and "Start a
referral" work by the five-digit zip); phone numbers as their ten digits (a leading US "1" is dropped).
Each normalizer returns the stored value or raises ValueError with a message for the person.
"""

import re

ZIP_CODE = re.compile(r"^(\d{5})(?:-?\d{4})?$")
PHONE_CHARACTERS = re.compile(r"^[\d\s().+-]*$")

ZIP_MESSAGE = "Enter a five-digit zip code, like 60640 (ZIP+4 like 60640-1234 is fine)."
PHONE_CHARACTERS_MESSAGE = "A phone number has only digits (and spaces, dashes or brackets)."
PHONE_LENGTH_MESSAGE = "Enter a ten-digit phone number, like 312-555-0142."


def normalize_zip(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    match = ZIP_CODE.match(value)
    if not match:
        raise ValueError(ZIP_MESSAGE)
    return match.group(1)


def normalize_phone(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    if not PHONE_CHARACTERS.match(value):
        raise ValueError(PHONE_CHARACTERS_MESSAGE)
    digits = re.sub(r"\D", "", value)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10:
        raise ValueError(PHONE_LENGTH_MESSAGE)
    return digits


NORMALIZERS = {"zip_code": normalize_zip, "phone": normalize_phone}
