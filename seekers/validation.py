"""One set of rules for a seeker's zip code, phone and way to be contacted, used by the web form, the API and
the services.

Zip codes are read by ``core.zipcode.parse_zip`` and stored as five digits (ZIP+4 input is accepted and
shortened, since search and "Start a referral" work by the five-digit zip); phone numbers are read by
``core.phones.parse_phone`` and stored in E.164 ("+13125550142"; a number without a country code is read in
``PHONE_DEFAULT_REGION``).
Each normalizer returns the stored value or raises ValueError with a message for the person.
"""

from core.phones import parse_phone as normalize_phone  # noqa: F401  (E.164, or a refusal that says why)
from core.zipcode import ZIP_MESSAGE  # noqa: F401  (the message pages quote)
from core.zipcode import parse_zip as normalize_zip

NORMALIZERS = {"zip_code": normalize_zip, "phone": normalize_phone}

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
