"""Our directory as HSDS 3.0 JSON services: what a 211 or another referral network can import.

Ids are the HSDS ids a program or organization was imported with, else their public UUIDs; the ids of
nested objects (location, phone, ...) are derived from the program's public id, so they are stable from
one export to the next. Importing an export again changes nothing.
"""

from __future__ import annotations

import uuid

from programs.models import Program

# Fixed namespace for the derived ids of nested objects.
EXPORT_NAMESPACE = uuid.UUID("6f1d3a52-3c1e-4c55-9d8e-6f3b1f0a7c21")


def _derived_id(program: Program, part: str) -> str:
    return str(uuid.uuid5(EXPORT_NAMESPACE, f"{program.public_id}:{part}"))


def _service_areas(program: Program) -> list[dict]:
    areas = []
    if program.service_area_zip_codes:
        zip_codes = ", ".join(program.service_area_zip_codes)
        areas.append({
            "id": _derived_id(program, "service_area:zip_codes"),
            "name": f"Zip codes {zip_codes}",
            "description": f"Serves residents of the zip codes {zip_codes}.",
            "extent": " ".join(program.service_area_zip_codes),
            "extent_type": "text",
        })
    if program.service_radius_miles:
        areas.append({
            "id": _derived_id(program, "service_area:radius"),
            "name": f"Within {program.service_radius_miles} miles",
            "description": f"Serves people within {program.service_radius_miles} miles of the program.",
        })
    return areas


def _service_at_locations(program: Program) -> list[dict]:
    has_address = any((program.address, program.city, program.state, program.zip_code))
    if not has_address and program.latitude is None:
        return []
    location = {
        "id": _derived_id(program, "location"),
        "location_type": "physical",
        "name": program.name,
        "latitude": program.latitude,
        "longitude": program.longitude,
        "addresses": [],
    }
    if has_address:
        location["addresses"].append({
            "id": _derived_id(program, "address"),
            "address_1": program.address,
            "city": program.city,
            "state_province": program.state,
            "postal_code": program.zip_code,
            "country": "US",
            "address_type": "physical",
        })
    return [{"id": _derived_id(program, "service_at_location"), "location": location}]


def service_json(program: Program) -> dict:
    """One program as an HSDS 3.0 service (with its organization, locations, phones, schedules, terms)."""
    organization = program.organization
    return {
        "id": program.hsds_id or str(program.public_id),
        "name": program.name,
        "description": program.description,
        "url": program.website or None,
        "email": program.email or None,
        "status": "active" if program.accepts_referrals else "inactive",
        "application_process": program.next_steps,
        "eligibility_description": program.eligibility,
        "minimum_age": program.min_age,
        "maximum_age": program.max_age,
        "last_modified": program.updated_at.isoformat(),
        "organization": {
            "id": organization.hsds_id or str(organization.public_id),
            "name": organization.name,
        },
        "phones": [{"id": _derived_id(program, "phone"), "number": program.phone}] if program.phone else [],
        "schedules": ([{"id": _derived_id(program, "schedule"), "description": program.schedule}]
                      if program.schedule else []),
        "service_areas": _service_areas(program),
        "languages": [{"id": _derived_id(program, f"language:{code}"), "code": code} for code in program.languages],
        "attributes": [
            {
                "id": _derived_id(program, f"attribute:{category.slug}"),
                "link_type": "category",
                "link_entity": "service",
                "taxonomy_term": {
                    "id": str(uuid.uuid5(EXPORT_NAMESPACE, f"category:{category.slug}")),
                    "code": category.slug,
                    "name": category.name,
                    "description": category.name,
                    "taxonomy": "referral-network-categories",
                },
            }
            for category in program.categories.all()
        ],
        "service_at_locations": _service_at_locations(program),
    }
