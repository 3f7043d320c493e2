"""One set of rules for a seeker's zip code, phone and way to be contacted, used by the web form, the API and
the services.

Zip codes are read by ``core.zipcode.parse_zip`` and stored as five digits (ZIP+4 input is accepted and
shortened, since search and "Start a referral" work by the five-digit zip); phone numbers are read by
``core.phones.parse_phone`` and stored in E.164 ("+13125550142"; a number without a country code is read in
``PHONE_DEFAULT_REGION``).
Each normalizer returns the stored value or raises ValueError with a message for the person.
"""

from decimal import Decimal, InvalidOperation

from core.languages import parse_language_codes
from core.phones import parse_phone as normalize_phone  # noqa: F401  (E.164, or a refusal that says why)
from core.zipcode import ZIP_MESSAGE  # noqa: F401  (the message pages quote)
from core.zipcode import parse_zip as normalize_zip

MAX_HOUSEHOLD_SIZE = 30
MAX_MONTHLY_INCOME = Decimal("1000000")
# Why the profile asks for each fact the programs' eligibility rules read (the form and the API say it).
WHY_ASKED = {
    "household_size": "Optional. With the monthly income, tells which programs' income limits the household "
    "meets (limits depend on household size).",
    "monthly_income": "Optional. The household's total income a month, before taxes, in dollars: programs with "
    "an income limit are then marked likely eligible or not.",
    "languages": "Optional. The languages the person speaks, like Spanish, Vietnamese: programs that list none "
    "of them are marked to check.",
}


def normalize_household_size(value) -> int | None:
    """People living together and sharing income, 1 to 30; None when blank."""
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip()
    if isinstance(value, bool) or not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_HOUSEHOLD_SIZE:
        raise ValueError(f"Enter the number of people in the household, a whole number from 1 to {MAX_HOUSEHOLD_SIZE}.")
    return int(text)


def normalize_monthly_income(value) -> Decimal | None:
    """Dollars a month, 0 to 1,000,000, to the cent ("$2,150.50" is fine); None when blank."""
    if value is None or str(value).strip() == "":
        return None
    if isinstance(value, bool):
        raise ValueError("Enter the monthly income as a number of dollars, like 2150.")
    text = str(value).strip().replace(",", "").removeprefix("$").strip()
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError("Enter the monthly income as a number of dollars, like 2150.") from None
    if not amount.is_finite() or not 0 <= amount <= MAX_MONTHLY_INCOME:
        raise ValueError(f"Enter a monthly income from 0 to {MAX_MONTHLY_INCOME:,} dollars.")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError("Enter the monthly income to the cent at most, like 2150.50.")
    return amount.quantize(Decimal("0.01"))


def normalize_languages(value) -> list[str]:
    """Language names or codes (a list, or one text separated by commas) -> codes; a name we do not know is
    refused."""
    codes, unknown = parse_language_codes(value)
    if unknown:
        raise ValueError(f"Not a language we know: {', '.join(unknown[:5])}. Use names like Spanish or codes like es.")
    return codes


NORMALIZERS = {
    "zip_code": normalize_zip,
    "phone": normalize_phone,
    "household_size": normalize_household_size,
    "monthly_income": normalize_monthly_income,
    "languages": normalize_languages,
}

CONTACT_FIELDS = ("contact_preference", "email", "phone")
# The detail each way of contacting needs (Seeker.ContactPreference values), and what to say when it is missing.
CONTACT_DETAIL_NEEDED = {
    "email": ("email", "To contact them by email, add their email address (or choose another way to contact them)."),
    "phone": ("phone", "To contact them by phone, add their phone number (or choose another way to contact them)."),
    "text": (
        "phone",
        "To contact them by text message, add their phone number (or choose another way to contact them).",
    ),
}


def default_contact_preference(*, email: str, phone: str) -> str:
    """The way to contact a person when the client did not say: by the detail given, email first; with neither,
    "do_not_contact" (there is no way to, as after an erasure)."""
    if (email or "").strip():
        return "email"
    if (phone or "").strip():
        return "phone"
    return "do_not_contact"


def contact_detail_missing(*, contact_preference: str, email: str, phone: str) -> tuple[str, str] | None:
    """(field, message) when the chosen way to contact the person lacks its detail, else None.

    "Email" needs an email address, "Phone" and "Text message" a phone number; "Do not contact" needs nothing.
    """
    needed = CONTACT_DETAIL_NEEDED.get(contact_preference)
    if needed is None:
        return None
    field, message = needed
    present = {"email": email, "phone": phone}[field]
    return None if (present or "").strip() else (field, message)
