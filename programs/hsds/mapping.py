"""One HSDS 3.0-shaped service -> the fields of our Program. The only place that knows both vocabularies.

``service_draft`` raises RecordError for a service that cannot be imported at all (no id, no name, no
organization, ages that are not ages); a value we can leave out (a malformed email, a postal code we cannot
place) is left out with a warning, and the service is imported.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.html import strip_tags

from core.languages import language_code, language_name  # noqa: F401  (export.py reads language_name here)
from core.zipcode import has_non_ascii_digits, zip_codes_in
from programs.geo import zip_centre

from .records import RecordError

MAX_AGE = 150
_validate_web_address = URLValidator(schemes=["http", "https"])
_RADIUS = re.compile(r"\bwithin\s+(\d{1,4})\s*(?:mi\b|miles?\b)", re.IGNORECASE | re.ASCII)
MAX_RADIUS_MILES = 1000

WEEKDAYS = {"MO": "Mon", "TU": "Tue", "WE": "Wed", "TH": "Thu", "FR": "Fri", "SA": "Sat", "SU": "Sun"}
WEEKDAY_NUMBERS = {"1": "Mon", "2": "Tue", "3": "Wed", "4": "Thu", "5": "Fri", "6": "Sat", "7": "Sun"}


@dataclass
class Draft:
    """What one HSDS service says about a Program. ``capacity`` is None when the service does not say."""

    hsds_id: str
    organization: dict
    fields: dict
    categories: list[str]
    capacity: dict | None = None
    warnings: list[str] = field(default_factory=list)


def text(value) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    return str(value).strip()


def _list(value) -> list:
    if isinstance(value, list):
        return [item for item in value if isinstance(item, dict)]
    if isinstance(value, dict):
        return [value]
    return []


def _age(value, label: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        raise RecordError(f"{label} {value!r} is not a number") from None
    if not math.isfinite(number) or number != int(number) or not 0 <= number <= MAX_AGE:
        raise RecordError(f"{label} {value!r} is not an age in whole years between 0 and {MAX_AGE}")
    return int(number)


def _count(value, label: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        raise RecordError(f"capacity {label} {value!r} is not a number") from None
    if not math.isfinite(number) or number < 0 or number != int(number):
        raise RecordError(f"capacity {label} {value!r} is not a whole number of places")
    return int(number)


def _fit(value: str, max_length: int, label: str, warnings: list[str]) -> str:
    if len(value) > max_length:
        warnings.append(f"{label} is longer than {max_length} characters and was left out")
        return ""
    return value


def _languages(entries: list[dict], warnings: list[str]) -> list[str]:
    codes = []
    for entry in entries:
        code = language_code(entry)
        if code is None:
            label = text(entry.get("name")) or text(entry.get("code"))
            if label:
                warnings.append(f"language {label!r} is not one we know and was left out")
        elif code not in codes:
            codes.append(code)
    return codes


def _phone(phones: list[dict]) -> str:
    for phone in phones:
        number = text(phone.get("number")).strip("\"' ")
        if number:
            extension = text(phone.get("extension"))
            return f"{number} ext. {extension}" if extension else number
    return ""


def _schedule_line(schedule: dict) -> str:
    description = text(schedule.get("description"))
    if description:
        return description
    days = text(schedule.get("byday"))
    if days:
        days = ", ".join(WEEKDAYS.get(day.strip().upper()[-2:], day.strip()) for day in days.split(","))
    else:
        weekday = text(schedule.get("weekday"))
        days = WEEKDAY_NUMBERS.get(weekday, weekday.title())
    opens, closes = text(schedule.get("opens_at"))[:5], text(schedule.get("closes_at"))[:5]
    hours = f"{opens}–{closes}" if opens and closes else ""
    return " ".join(part for part in (days, hours) if part)


def schedule_text(schedules: list[dict]) -> str:
    lines = [_schedule_line(schedule) for schedule in schedules]
    return "\n".join(dict.fromkeys(line for line in lines if line))


def _choose_place(places: list[dict]) -> dict:
    """The service's place to show on the map: the first physical location, else the first one."""
    with_location = [place for place in places if isinstance(place.get("location"), dict)]
    for place in with_location:
        if text(place["location"].get("location_type")).lower() != "virtual":
            return place
    return with_location[0] if with_location else {}


def _choose_address(addresses: list[dict]) -> dict:
    for address in addresses:
        if text(address.get("address_type")).lower() in ("physical", ""):
            return address
    return addresses[0] if addresses else {}


def _coordinate(value, limit: float) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        return math.nan
    return number if math.isfinite(number) and -limit <= number <= limit else math.nan


def _location_fields(place: dict, warnings: list[str]) -> dict:
    location = place.get("location") or {}
    address = _choose_address(_list(location.get("addresses")) or _list(location.get("physical_addresses")))
    street = ", ".join(part for part in (text(address.get("address_1")), text(address.get("address_2"))) if part)
    postal_code = text(address.get("postal_code"))
    if has_non_ascii_digits(postal_code):
        warnings.append(
            f"location {text(location.get('id'))}: the postal code {postal_code!r} is not written with "
            "the digits 0 to 9; left out"
        )
        postal_code = ""
    fields = {
        "address": _fit(street, 255, "the street address", warnings),
        "city": _fit(text(address.get("city")), 120, "the city", warnings),
        "state": _fit(text(address.get("state_province")), 40, "the state", warnings),
        "zip_code": _fit(postal_code, 10, "the postal code", warnings),
        "latitude": None,
        "longitude": None,
    }
    latitude, longitude = _coordinate(location.get("latitude"), 90), _coordinate(location.get("longitude"), 180)
    if latitude is not None and longitude is not None and not (math.isnan(latitude) or math.isnan(longitude)):
        fields["latitude"], fields["longitude"] = latitude, longitude
        return fields
    if latitude is not None or longitude is not None:
        warnings.append(
            f"location {text(location.get('id'))}: coordinates ({text(location.get('latitude'))}, "
            f"{text(location.get('longitude'))}) are not a valid latitude and longitude"
        )
    if location:
        centre = zip_centre(postal_code)
        if centre:
            fields["latitude"], fields["longitude"] = centre
        elif postal_code:
            warnings.append(
                f"location {text(location.get('id'))}: zip code {postal_code!r} is not one we know; "
                "imported without a position on the map"
            )
        else:
            warnings.append(
                f"location {text(location.get('id'))} has neither coordinates nor a zip code; "
                "imported without a position on the map"
            )
    return fields


def _service_area_zip_codes(areas: list[dict]) -> list[str]:
    found = set()
    for area in areas:
        for key in ("name", "description", "extent", "service_area"):
            for zip_code in zip_codes_in(text(area.get(key))):
                if zip_centre(zip_code):
                    found.add(zip_code)
    return sorted(found)


def _service_radius_miles(areas: list[dict]) -> int | None:
    """A radius an area states in words ("Within 5 miles"), as our export writes it and 211s often do."""
    for area in areas:
        for key in ("name", "description", "extent"):
            found = _RADIUS.search(text(area.get(key)))
            if found and 0 < int(found.group(1)) <= MAX_RADIUS_MILES:
                return int(found.group(1))
    return None


def _required_documents(entries: list[dict], warnings: list[str]) -> list[str]:
    """HSDS required_documents -> the documents' descriptions (as programs.eligibility.clean_rules keeps them)."""
    from programs.eligibility import MAX_DOCUMENT_LENGTH, MAX_DOCUMENTS

    documents = []
    for entry in entries:
        document = " ".join(strip_tags(text(entry.get("document"))).split())
        if not document or document in documents:
            continue
        if len(document) > MAX_DOCUMENT_LENGTH:
            warnings.append(f"a required document is longer than {MAX_DOCUMENT_LENGTH} characters and was left out")
        else:
            documents.append(document)
    if len(documents) > MAX_DOCUMENTS:
        warnings.append(f"only the first {MAX_DOCUMENTS} required documents were kept")
    return documents[:MAX_DOCUMENTS]


def _categories(attributes: list[dict]) -> list[str]:
    names = []
    for attribute in attributes:
        term = attribute.get("taxonomy_term") if isinstance(attribute.get("taxonomy_term"), dict) else attribute
        name = text(term.get("name")) or text(term.get("code")) or text(term.get("term"))
        if name and name not in names:
            names.append(name[:120])
    return names


def _capacity(data: dict) -> dict | None:
    entries = (
        _list(data.get("capacities"))
        or _list(data.get("service_capacities"))
        or _list(data.get("service_capacity"))
        or _list(data.get("capacity"))
    )
    if not entries:
        return None
    entry = entries[0]
    available = _count(entry.get("available"), "available")
    maximum = _count(entry.get("maximum"), "maximum")
    if available is None and maximum is None:
        return None
    if available is not None and maximum is not None and available > maximum:
        raise RecordError(f"capacity available ({available}) is more than the maximum ({maximum})")
    updated = text(entry.get("updated")) or text(entry.get("last_updated"))
    updated_at = None
    if updated:
        updated_at = parse_datetime(updated)
        if updated_at is None and parse_date(updated):
            updated_at = datetime.combine(parse_date(updated), datetime.min.time())
        if updated_at is None:
            raise RecordError(f"capacity updated {updated!r} is not a date")
        if timezone.is_naive(updated_at):
            updated_at = timezone.make_aware(updated_at, timezone.get_default_timezone())
    return {"available": available, "maximum": maximum, "updated_at": updated_at}


def organization_fields(data: dict) -> dict:
    """What one HSDS organization says about our Organization (its id is matched elsewhere)."""
    name = text(data.get("name"))
    if len(name) > 200:
        raise RecordError(f"organization {text(data.get('id'))}: the name is longer than 200 characters")
    fields = {"name": name}
    if "description" in data:  # an organization named only inside a service leaves its description alone
        fields["description"] = strip_tags(text(data.get("description"))).strip()
    return fields


def organization_of(data: dict) -> dict:
    organization = data.get("organization")
    if isinstance(organization, dict) and text(organization.get("id")):
        return organization
    return {"id": text(data.get("organization_id"))}


def service_draft(data: dict) -> Draft:
    warnings: list[str] = []
    hsds_id = text(data.get("id"))
    if not hsds_id:
        raise RecordError("the service has no id")
    if len(hsds_id) > 255:
        raise RecordError("the service id is longer than 255 characters")
    name = text(data.get("name"))
    if not name:
        raise RecordError(f"service {hsds_id} has no name")
    if len(name) > 255:
        raise RecordError(f"service {hsds_id}: the name is longer than 255 characters")
    organization = organization_of(data)
    if not organization["id"]:
        raise RecordError(f"service {hsds_id} names no organization")

    min_age = _age(data.get("minimum_age"), "minimum_age")
    max_age = _age(data.get("maximum_age"), "maximum_age")
    if min_age is not None and max_age is not None and min_age > max_age:
        raise RecordError(f"minimum_age {min_age} is above maximum_age {max_age}")

    email = text(data.get("email"))
    if email:
        try:
            validate_email(email)
        except ValidationError:
            warnings.append(f"email {email!r} is not an email address and was left out")
            email = ""
    website = text(data.get("url"))
    if website:
        try:
            _validate_web_address(website)
        except ValidationError:
            warnings.append(f"url {website!r} is not a web address and was left out")
            website = ""
        website = _fit(website, 200, "the url", warnings)

    places = _list(data.get("service_at_locations"))
    place = _choose_place(places)
    location = place.get("location") or {}
    phones = (
        _list(data.get("phones"))
        + _list(place.get("phones"))
        + _list(location.get("phones"))
        + _list((data.get("organization") or {}).get("phones") if isinstance(data.get("organization"), dict) else [])
    )
    languages = _languages(
        _list(data.get("languages"))
        or _list(location.get("languages"))
        or [lang for phone in phones[:1] for lang in _list(phone.get("languages"))],
        warnings,
    )
    schedules = _list(data.get("schedules")) or _list(place.get("schedules")) or _list(location.get("schedules"))

    fields = {
        "name": name,
        "description": strip_tags(text(data.get("description"))).strip(),
        "eligibility": strip_tags(text(data.get("eligibility_description"))).strip(),
        "min_age": min_age,
        "max_age": max_age,
        "languages": languages,
        "next_steps": text(data.get("application_process")),
        "phone": _fit(_phone(phones), 40, "the phone number", warnings),
        "email": _fit(email, 254, "the email", warnings),
        "website": website,
        "schedule": schedule_text(schedules),
        "service_area_zip_codes": _service_area_zip_codes(_list(data.get("service_areas"))),
        "required_documents": _required_documents(_list(data.get("required_documents")), warnings),
        **_location_fields(place, warnings),
    }
    radius = _service_radius_miles(_list(data.get("service_areas")))
    if radius:  # a radius set in the admin stays when the data states none
        fields["service_radius_miles"] = radius
    status = text(data.get("status")).lower()
    if status:
        fields["accepts_referrals"] = status == "active"
    return Draft(
        hsds_id=hsds_id,
        organization=organization,
        fields=fields,
        categories=_categories(_list(data.get("attributes")) + _list(data.get("taxonomy_terms"))),
        capacity=_capacity(data),
        warnings=warnings,
    )
