"""Imports an Open Referral (HSDS) directory into ours.

``hsds_import`` guarantees:
- an idempotent upsert keyed by HSDS ids (Program.hsds_id, Organization.hsds_id): running it twice on the
  same data reports every service unchanged the second time and writes nothing;
- one transaction per service: a service is written whole or not at all;
- a record that cannot be imported is reported with its file and line and never stops the others;
- the same service met in several files (HSDS 3.0 JSON examples repeat it as a service, inside its
  organization and inside a service_at_location) is merged first and imported once.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Organization
from accounts.services import organization_create
from programs.models import Program
from programs.services import category_get_or_create, program_create

from .json_reader import read_json_file
from .mapping import Draft, organization_of, service_draft, text
from .records import ImportReport, Problem, Reading, RecordError, Source
from .tabular_reader import is_tabular_package, read_tabular_package

PROGRESS_EVERY = 1000


class ImportPathError(ValueError):
    """The path holds nothing we can read as HSDS."""


def read_path(path: Path, *, progress=None) -> Reading:
    """Reads a tabular data package folder, a folder of HSDS JSON files, or one JSON file."""
    reading = Reading()
    if path.is_dir():
        if is_tabular_package(path):
            read_tabular_package(path, reading, progress=progress)
        else:
            files = sorted(path.glob("*.json"))
            if not files:
                raise ImportPathError(f"{path} holds neither a datapackage.json, HSDS CSV files nor JSON files.")
            for file in files:
                read_json_file(file, reading)
    elif path.is_file() and path.name == "datapackage.json":
        read_tabular_package(path.parent, reading, progress=progress)
    elif path.is_file() and path.suffix.lower() == ".json":
        read_json_file(path, reading)
    else:
        raise ImportPathError(f"{path} is not a folder or a .json file.")
    return reading


def _is_empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def merge_records(first: dict, second: dict) -> dict:
    """``first``, with what it lacks filled in from ``second`` (nested objects merged the same way)."""
    merged = dict(first)
    for key, value in second.items():
        current = merged.get(key)
        if _is_empty(current):
            merged[key] = value
        elif isinstance(current, dict) and isinstance(value, dict):
            merged[key] = merge_records(current, value)
    return merged


def _unique_slug(name: str, hsds_id: str) -> str:
    base = slugify(name)[:60] or "organization"
    candidates = [base, f"{base}-{slugify(hsds_id)[:12]}"]
    candidates += [f"{base}-{slugify(hsds_id)[:12]}-{n}" for n in range(2, 50)]
    for candidate in candidates:
        if not Organization.objects.filter(slug=candidate).exists():
            return candidate
    raise RecordError(f"no free address name for organization {name!r}")


@transaction.atomic
def organization_upsert(*, data: dict) -> tuple[Organization, str]:
    """The organization with this HSDS id, created or renamed to match. Returns (organization, outcome)."""
    hsds_id = text(data.get("id"))
    name = text(data.get("name"))
    if not hsds_id:
        raise RecordError("the organization has no id")
    if len(name) > 200:
        raise RecordError(f"organization {hsds_id}: the name is longer than 200 characters")
    organization = Organization.objects.select_for_update().filter(hsds_id=hsds_id).first()
    if organization is None:
        if not name:
            raise RecordError(f"organization {hsds_id} has no name")
        organization = organization_create(name=name, slug=_unique_slug(name, hsds_id), hsds_id=hsds_id)
        return organization, "created"
    if name and organization.name != name:
        organization.name = name
        organization.save(update_fields=["name"])
        return organization, "updated"
    return organization, "unchanged"


def _capacity_changes(program: Program | None, capacity: dict | None) -> dict:
    if capacity is None:
        return {}
    changes = {}
    for key, field in (("available", "capacity_available"), ("maximum", "capacity_maximum")):
        if program is None or getattr(program, field) != capacity[key]:
            changes[field] = capacity[key]
    updated_at = capacity["updated_at"]
    if updated_at is not None:
        if program is None or program.capacity_updated_at != updated_at:
            changes["capacity_updated_at"] = updated_at
    elif changes:
        changes["capacity_updated_at"] = timezone.now()
    return changes


@transaction.atomic
def program_upsert(*, draft: Draft, organization: Organization) -> str:
    """Creates or updates the program of one HSDS service. Returns created, updated or unchanged."""
    program = (Program.objects.unscoped("an HSDS id names one program of the shared directory")
               .select_for_update().filter(hsds_id=draft.hsds_id).first())
    categories = [category_get_or_create(name=name) for name in draft.categories]
    categories = [category for category in categories if category.slug]
    if program is None:
        fields = {**draft.fields, **_capacity_changes(None, draft.capacity)}
        program_create(organization=organization, categories=categories, hsds_id=draft.hsds_id, **fields)
        return "created"
    if program.organization_id != organization.pk:
        raise RecordError(f"service {draft.hsds_id} is already in the directory under "
                          f"{program.organization.name}; move it in the admin first")
    changes = {field: value for field, value in draft.fields.items() if getattr(program, field) != value}
    changes.update(_capacity_changes(program, draft.capacity))
    categories_changed = {c.pk for c in categories} != set(program.categories.values_list("pk", flat=True))
    if not changes and not categories_changed:
        return "unchanged"
    for field, value in changes.items():
        setattr(program, field, value)
    program.save()
    if categories_changed:
        program.categories.set(categories)
    return "updated"


def hsds_import(*, path: Path, progress=None, progress_every: int = PROGRESS_EVERY) -> ImportReport:
    """Reads ``path`` (see read_path) and upserts every service in it. Raises ImportPathError only when
    there is nothing to read; everything else is reported in the returned ImportReport."""

    def reader_progress(label: str, rows: int) -> None:
        if progress and rows % progress_every == 0:
            progress(f"{label}: {rows} rows read")

    reading = read_path(Path(path), progress=reader_progress)
    report = ImportReport(rejected=list(reading.rejected), warnings=list(reading.warnings))

    # Organizations first (each on its own), from their own records and from the services that embed them.
    organizations: dict[str, tuple[dict, Source]] = {}
    for data, source in [(r.data, r.source) for r in reading.organizations] + [
        (organization_of(r.data), r.source) for r in reading.services
    ]:
        hsds_id = text(data.get("id"))
        if not hsds_id or set(data) == {"id"}:
            continue
        previous = organizations.get(hsds_id)
        organizations[hsds_id] = (merge_records(previous[0], data), previous[1]) if previous else (data, source)
    saved: dict[str, Organization] = {}
    for hsds_id, (data, source) in organizations.items():
        try:
            organization, outcome = organization_upsert(data=data)
        except RecordError as error:
            report.rejected.append(Problem(source, error.message))
            continue
        except (DatabaseError, ValidationError) as error:
            report.rejected.append(Problem(source, f"organization {hsds_id} could not be saved: {error}"))
            continue
        saved[hsds_id] = organization
        report.organizations_created += outcome == "created"
        report.organizations_updated += outcome == "updated"

    # Then each service, merged across the files that mention it, in its own transaction.
    services: dict[str, tuple[dict, Source]] = {}
    for record in reading.services:
        hsds_id = text(record.data.get("id"))
        key = hsds_id or f"\0{record.source}"
        previous = services.get(key)
        services[key] = (merge_records(previous[0], record.data), previous[1]) if previous else (record.data,
                                                                                                 record.source)
    total = len(services)
    for done, (data, source) in enumerate(services.values(), start=1):
        try:
            draft = service_draft(data)
            organization = saved.get(draft.organization["id"]) or Organization.objects.filter(
                hsds_id=draft.organization["id"]).first()
            if organization is None:
                raise RecordError(f"service {draft.hsds_id}: organization {draft.organization['id']} is neither "
                                  "in this import nor in the directory")
            outcome = program_upsert(draft=draft, organization=organization)
        except RecordError as error:
            report.rejected.append(Problem(source, error.message))
        except (DatabaseError, ValidationError) as error:
            report.rejected.append(Problem(source, f"service {text(data.get('id'))} could not be saved: {error}"))
        else:
            getattr(report, outcome).append(draft.hsds_id)
            report.warnings.extend(Problem(source, f"service {draft.hsds_id}: {w}") for w in draft.warnings)
        if progress and (done % progress_every == 0 or done == total) and total >= progress_every:
            progress(f"services: {done}/{total} saved")
    return report
