"""Reads of the directory in HSDS terms: by HSDS id, and with the HSDS API's filters.

The directory is public (as /find/ is): nothing here is scoped to a tenant. Organizations appear only as
the providers of programs: an organization without programs (a site) is no part of the directory.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connections
from django.db.models import Exists, OuterRef, Prefetch, Q

from accounts.models import Organization
from programs.models import Category, Program
from programs.selectors import directory, program_search

from .export import TAXONOMY_ID, is_uuid, service_id_of_service_at_location, taxonomy_term_id

METERS_PER_MILE = 1609.344


def _id_condition(value: str) -> Q:
    """Rows whose HSDS id is ``value``, or whose public id is (what we export for rows without one)."""
    condition = Q(hsds_id=value)
    if is_uuid(value):
        condition |= Q(public_id=value)
    return condition


def services():
    """Every program, as the HSDS API lists them (by name), with what an HSDS document of it reads."""
    return directory().select_related("organization").prefetch_related("categories").order_by("name", "pk")


def service_get(service_id: str) -> Program | None:
    """The program with this HSDS service id (an HSDS id wins over a public id)."""
    found = list(services().filter(_id_condition(service_id))[:2])
    return next((program for program in found if program.hsds_id == service_id), found[0] if found else None)


def service_at_location_get(place_id: str) -> Program | None:
    """The program whose place has this service_at_location id (see export.service_at_location_id)."""
    owner = service_id_of_service_at_location(place_id)
    program = service_get(owner) if owner else None
    if program is None or not has_place(program):
        return None
    return program


def has_place(program: Program) -> bool:
    return program.latitude is not None or any((program.address, program.city, program.state, program.zip_code))


def _with_place(programs):
    return programs.filter(~Q(address="") | ~Q(city="") | ~Q(state="") | ~Q(zip_code="") | Q(latitude__isnull=False))


def providers():
    """The organizations of the directory: those that provide at least one program."""
    return Organization.objects.filter(Exists(directory().filter(organization=OuterRef("pk")))).order_by("name", "pk")


def provider_get(organization_id: str, *, full_service: bool = False) -> Organization | None:
    found = list(providers().filter(_id_condition(organization_id)).prefetch_related(programs_of(full_service))[:2])
    return next((o for o in found if o.hsds_id == organization_id), found[0] if found else None)


def programs_of(full_service: bool) -> Prefetch:
    """An organization's programs, by name (with their categories when they are shown whole)."""
    programs = directory().order_by("name", "pk")
    if full_service:
        programs = programs.prefetch_related("categories")
    return Prefetch("programs", queryset=programs)


def category_get(term_id: str) -> Category | None:
    """The category whose taxonomy term id (a UUID derived from its slug) is ``term_id``."""
    if not is_uuid(term_id):
        return None
    return next((category for category in Category.objects.all() if taxonomy_term_id(category) == term_id), None)


class FilterError(ValueError):
    """A filter value the API cannot use (400)."""


@dataclass
class ServiceFilters:
    """The HSDS API's filters of /services and /service_at_locations; empty values filter nothing."""

    search: str = ""
    taxonomy_term_id: str = ""
    taxonomy_id: str = ""
    organization_id: str = ""
    modified_after: datetime | None = None
    postcode: str = ""
    proximity_meters: float | None = None


def services_filtered(filters: ServiceFilters, *, places_only: bool = False):
    """The programs matching ``filters``, ordered by name (nearest first with a postcode and proximity).
    Raises FilterError for a postcode we cannot place when a proximity asks for distances."""
    if filters.postcode and filters.proximity_meters is not None:
        from programs.selectors import UnknownZipCode

        try:
            programs = program_search(
                zip_code=filters.postcode, q=filters.search, radius_miles=filters.proximity_meters / METERS_PER_MILE
            )
        except UnknownZipCode as error:
            raise FilterError(str(error)) from None
        programs = programs.order_by("distance_miles", "name", "pk")
    elif filters.search:
        programs = program_search(q=filters.search).order_by("name", "pk")
    else:
        programs = services()
    if filters.postcode and filters.proximity_meters is None:
        programs = _serving_postcode(programs, filters.postcode)
    if filters.taxonomy_term_id:
        category = category_get(filters.taxonomy_term_id)
        programs = programs.filter(categories=category) if category else programs.none()
    if filters.taxonomy_id:
        if filters.taxonomy_id == TAXONOMY_ID:
            programs = programs.filter(Exists(Program.categories.through.objects.filter(program_id=OuterRef("pk"))))
        else:
            programs = programs.none()
    if filters.organization_id:
        programs = programs.filter(organization__in=providers().filter(_id_condition(filters.organization_id)))
    if filters.modified_after is not None:
        programs = programs.filter(updated_at__gte=filters.modified_after)
    if places_only:
        programs = _with_place(programs)
    return programs


def _serving_postcode(programs, postcode: str):
    """Programs whose service area lists the zip code, or that are in it."""
    if connections[programs.db].vendor == "postgresql":
        return programs.filter(Q(service_area_zip_codes__contains=[postcode]) | Q(zip_code=postcode))
    # SQLite (make run) has no JSON containment: the list is stored as JSON text, and a quoted zip code in it
    # is an element.
    return programs.filter(Q(service_area_zip_codes__icontains=f'"{postcode}"') | Q(zip_code=postcode))
