"""Our directory as HSDS 3.0 JSON: what a 211, Open Referral's tools or another network can read.

Every document validates against the official HSDS 3.0 schemas (programs/hsds/schema/; the tests check):

- a value we do not know is left out, never written as ``null`` (the schemas allow a string or a number
  or nothing); a property the schema requires is always there;
- ids are UUIDs, as HSDS asks: a program's or organization's HSDS id when it was imported with one that
  is a UUID, else its public UUID (``service_id``, ``organization_id``); the ids of nested objects
  (location, phone, ...) are derived from the service's id, so an export imported elsewhere exports the same
  documents again.

Each HSDS field we fill is written in one place: the one-to-one fields of a service in ``SERVICE_FIELDS``,
its lists in ``SERVICE_LISTS`` (one function each), an organization's fields in ``ORGANIZATION_FIELDS``. To
export a new field, add its line there (and read it back in mapping.py).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from functools import lru_cache

from accounts.models import Organization
from programs.models import Category, Program

from .mapping import language_name

# Fixed namespace for the derived ids of nested objects, categories and our taxonomy.
EXPORT_NAMESPACE = uuid.UUID("6f1d3a52-3c1e-4c55-9d8e-6f3b1f0a7c21")
HSDS_VERSION = "3.0"
COUNTRY = "US"  # the directory places programs by US zip code

TAXONOMY_ID = str(uuid.uuid5(EXPORT_NAMESPACE, "taxonomy:categories"))
TAXONOMY = {
    "id": TAXONOMY_ID,
    "name": "Referral network categories",
    "description": "The categories programs are listed under in this referral network's directory.",
}


_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def is_uuid(value) -> bool:
    """A UUID written as HSDS (and JSON Schema's "uuid" format) wants it: 8-4-4-4-12 hexadecimal digits."""
    return isinstance(value, str) and _UUID.fullmatch(value) is not None


def service_id(program: Program) -> str:
    return program.hsds_id if program.hsds_id and is_uuid(program.hsds_id) else str(program.public_id)


def organization_id(organization: Organization) -> str:
    if organization.hsds_id and is_uuid(organization.hsds_id):
        return organization.hsds_id
    return str(organization.public_id)


def derived_id(owner_id: str, part: str) -> str:
    return str(uuid.uuid5(EXPORT_NAMESPACE, f"{owner_id}:{part}"))


def taxonomy_term_id(category: Category) -> str:
    return _term_id(category.slug)


@lru_cache(maxsize=10_000)
def _term_id(slug: str) -> str:
    return str(uuid.uuid5(EXPORT_NAMESPACE, f"category:{slug}"))


# A program has at most one place, so its service_at_location id is its service id with these bits flipped:
# unique, stable, a UUID of the same version, and it leads back to the service without a table of ids.
_SERVICE_AT_LOCATION_MASK = 0x5A1_0C47_1011_0000_0000_5E4F_1CE5_0000


def service_at_location_id(owner: str) -> str:
    return str(uuid.UUID(int=uuid.UUID(owner).int ^ _SERVICE_AT_LOCATION_MASK))


def service_id_of_service_at_location(place_id: str) -> str | None:
    """The service id a service_at_location id was made from (None when it is not a UUID)."""
    try:
        return str(uuid.UUID(int=uuid.UUID(place_id).int ^ _SERVICE_AT_LOCATION_MASK))
    except ValueError:
        return None


def _present(document: dict) -> dict:
    """``document`` without the values we do not know (None, "", [])."""
    return {key: value for key, value in document.items() if value is not None and value != "" and value != []}


# --- organization --------------------------------------------------------------------------------------

ORGANIZATION_FIELDS: dict[str, Callable[[Organization], object]] = {
    "name": lambda organization: organization.name,
}


def organization_json(organization: Organization) -> dict:
    """An organization's one-to-one fields (HSDS organization_list). ``description`` is required by the
    schema: when we have none it is an empty string."""
    return {
        "id": organization_id(organization),
        **_present({name: read(organization) for name, read in ORGANIZATION_FIELDS.items()}),
        "description": organization.description,
    }


def organization_full_json(organization: Organization, programs, *, full_service: bool = False) -> dict:
    """An organization with its services: each as its one-to-one fields, or fully nested."""
    document = organization_json(organization)
    services = [
        service_json(program) if full_service else service_list_json(program, with_organization=False)
        for program in programs
    ]
    if services:
        document["services"] = services
    return document


# --- service -------------------------------------------------------------------------------------------

SERVICE_FIELDS: dict[str, Callable[[Program], object]] = {
    "name": lambda program: program.name,
    "description": lambda program: program.description,
    "url": lambda program: program.website,
    "email": lambda program: program.email,
    "status": lambda program: "active" if program.accepts_referrals else "inactive",
    "application_process": lambda program: program.next_steps,
    "eligibility_description": lambda program: program.eligibility,
    "minimum_age": lambda program: program.min_age,
    "maximum_age": lambda program: program.max_age,
    "last_modified": lambda program: program.updated_at.isoformat(),
}


def _phones(program: Program, owner: str) -> list[dict]:
    if not program.phone:
        return []
    number, _, extension = program.phone.partition(" ext. ")
    phone = {"id": derived_id(owner, "phone"), "number": number}
    if extension.strip().isdigit():
        phone["extension"] = int(extension)
    else:
        phone["number"] = program.phone
    return [phone]


def _schedules(program: Program, owner: str) -> list[dict]:
    if not program.schedule:
        return []
    return [{"id": derived_id(owner, "schedule"), "description": program.schedule}]


def _service_areas(program: Program, owner: str) -> list[dict]:
    areas = []
    if program.service_area_zip_codes:
        zip_codes = ", ".join(program.service_area_zip_codes)
        areas.append(
            {
                "id": derived_id(owner, "service_area:zip_codes"),
                "name": f"Zip codes {zip_codes}",
                "description": f"Serves residents of the zip codes {zip_codes}.",
                "extent": " ".join(program.service_area_zip_codes),
                "extent_type": "text",
            }
        )
    if program.service_radius_miles:
        areas.append(
            {
                "id": derived_id(owner, "service_area:radius"),
                "name": f"Within {program.service_radius_miles} miles",
                "description": f"Serves people within {program.service_radius_miles} miles of the program.",
            }
        )
    return areas


def _languages(program: Program, owner: str) -> list[dict]:
    return [
        _present({"id": derived_id(owner, f"language:{code}"), "code": code, "name": language_name(code)})
        for code in program.languages
    ]


def _required_documents(program: Program, owner: str) -> list[dict]:
    return [
        {"id": derived_id(owner, f"required_document:{document}"), "document": document}
        for document in program.required_documents
    ]


def _attributes(program: Program, owner: str) -> list[dict]:
    return [
        {
            "id": derived_id(owner, f"attribute:{category.slug}"),
            "link_id": owner,
            "link_type": "category",
            "link_entity": "service",
            "taxonomy_term_id": taxonomy_term_id(category),
            "taxonomy_term": taxonomy_term_json(category),
        }
        for category in program.categories.all()
    ]


def _location(program: Program, owner: str) -> dict | None:
    has_address = any((program.address, program.city, program.state, program.zip_code))
    if not has_address and program.latitude is None:
        return None
    location_id = derived_id(owner, "location")
    location = _present(
        {
            "id": location_id,
            "location_type": "physical",
            "name": program.name,
            "latitude": program.latitude,
            "longitude": program.longitude,
        }
    )
    if has_address:
        # The schema requires every part of an address; a part we do not know is an empty string.
        location["addresses"] = [
            {
                "id": derived_id(owner, "address"),
                "location_id": location_id,
                "address_1": program.address,
                "city": program.city,
                "state_province": program.state,
                "postal_code": program.zip_code,
                "country": COUNTRY,
                "address_type": "physical",
            }
        ]
    return location


def _service_at_locations(program: Program, owner: str) -> list[dict]:
    location = _location(program, owner)
    if location is None:
        return []
    return [
        {"id": service_at_location_id(owner), "service_id": owner, "location_id": location["id"], "location": location}
    ]


SERVICE_LISTS: dict[str, Callable[[Program, str], list[dict]]] = {
    "phones": _phones,
    "schedules": _schedules,
    "service_areas": _service_areas,
    "languages": _languages,
    "required_documents": _required_documents,
    "attributes": _attributes,
    "service_at_locations": _service_at_locations,
}


def service_list_json(program: Program, *, with_organization: bool = True, owner: str | None = None) -> dict:
    """A service's one-to-one fields (HSDS service_list), with its organization's."""
    document = {
        "id": owner or service_id(program),
        "organization_id": organization_id(program.organization),
        **_present({name: read(program) for name, read in SERVICE_FIELDS.items()}),
    }
    if with_organization:
        document["organization"] = organization_json(program.organization)
    return document


def service_json(program: Program) -> dict:
    """One program as a fully nested HSDS 3.0 service (organization, locations, phones, schedules, terms)."""
    owner = service_id(program)
    document = service_list_json(program, owner=owner)
    document.update(_present({name: build(program, owner) for name, build in SERVICE_LISTS.items()}))
    return document


def service_minimal_json(program: Program) -> dict:
    """The smallest service the schema accepts (id, name, status), with when it last changed."""
    return {
        key: value
        for key, value in service_list_json(program, with_organization=False).items()
        if key in ("id", "name", "status", "last_modified")
    }


# --- service_at_location -------------------------------------------------------------------------------


def service_at_location_json(program: Program, *, full: bool = False) -> dict | None:
    """The program at its place (None for a program with no place). Its service is its one-to-one fields, or
    fully nested with ``full``; the location is always whole."""
    owner = service_id(program)
    places = _service_at_locations(program, owner)
    if not places:
        return None
    place = places[0]
    place["service"] = service_json(program) if full else service_list_json(program)
    return place


# --- taxonomy ------------------------------------------------------------------------------------------


def taxonomy_json() -> dict:
    return dict(TAXONOMY)


def taxonomy_term_json(category: Category) -> dict:
    return {
        "id": taxonomy_term_id(category),
        "code": category.slug,
        "name": category.name,
        "description": category.name,
        "taxonomy": TAXONOMY["name"],
        "taxonomy_id": TAXONOMY_ID,
    }
