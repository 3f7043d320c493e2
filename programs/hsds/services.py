"""Imports an Open Referral (HSDS) directory into ours.

``hsds_import`` guarantees:
- an idempotent upsert keyed by HSDS ids (Program.hsds_id, Organization.hsds_id): running it twice on the
  same data reports every service unchanged the second time and writes nothing;
- a service is written whole or not at all: services are saved in batches (a few statements per batch,
  so that 50,000 services take seconds), and when a batch fails in the database its services are saved
  again one by one, each in its own transaction, so that one bad service cannot stop the others;
- a record that cannot be imported is reported with its file and line and never stops the others;
- the same service met in several files (HSDS 3.0 JSON examples repeat it as a service, inside its
  organization and inside a service_at_location) is merged first and imported once.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Organization
from accounts.services import organization_create
from programs.models import Program
from programs.services import (
    categories_get_or_create,
    category_get_or_create,
    program_create,
    program_create_many,
    program_update_many,
)

from .export import is_uuid
from .json_reader import read_json_file
from .mapping import Draft, organization_fields, organization_of, service_draft, text
from .records import ImportReport, Problem, Reading, RecordError, Source
from .tabular_reader import is_tabular_package, read_tabular_package

PROGRESS_EVERY = 1000
BATCH_SIZE = 1000


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


def _unique_slug(name: str, hsds_id: str, taken: set[str]) -> str:
    base = slugify(name)[:60] or "organization"
    candidates = [base, f"{base}-{slugify(hsds_id)[:12]}"]
    candidates += [f"{base}-{slugify(hsds_id)[:12]}-{n}" for n in range(2, 50)]
    for candidate in candidates:
        if candidate not in taken:
            taken.add(candidate)
            return candidate
    raise RecordError(f"no free address name for organization {name!r}")


def _taken_slugs() -> set[str]:
    """Every organization's address name (one narrow query, whatever the number of organizations to name)."""
    return set(Organization.objects.values_list("slug", flat=True))


def _by_hsds_id(model, ids: list[str], **extra):
    """{incoming id: row} for rows whose HSDS id is one of ``ids``, or whose public id is (what we export for
    rows without a UUID HSDS id): our own export imports back onto the same rows."""
    uuids = [value for value in ids if is_uuid(value)]
    rows = model.filter(Q(hsds_id__in=ids) | Q(public_id__in=uuids), **extra)
    found = {}
    for row in rows:
        found.setdefault(str(row.public_id), row)
    for row in rows:
        if row.hsds_id:
            found[row.hsds_id] = row  # an HSDS id wins over a public id that happens to be the same
    return {value: found[value] for value in ids if value in found}


@transaction.atomic
def organization_upsert(*, data: dict) -> tuple[Organization, str]:
    """The organization with this HSDS id, created or changed to match. Returns (organization, outcome)."""
    hsds_id = text(data.get("id"))
    if not hsds_id:
        raise RecordError("the organization has no id")
    fields = organization_fields(data)
    organization = _by_hsds_id(Organization.objects.select_for_update(), [hsds_id]).get(hsds_id)
    if organization is None:
        if not fields["name"]:
            raise RecordError(f"organization {hsds_id} has no name")
        slug = _unique_slug(fields["name"], hsds_id, _taken_slugs())
        return organization_create(slug=slug, hsds_id=hsds_id, **fields), "created"
    changes = _organization_changes(organization, fields)
    if changes:
        for name, value in changes.items():
            setattr(organization, name, value)
        organization.save(update_fields=sorted(changes))
        return organization, "updated"
    return organization, "unchanged"


def _organization_changes(organization: Organization, fields: dict) -> dict:
    return {
        name: value
        for name, value in fields.items()
        if (value or name != "name") and getattr(organization, name) != value
    }


@transaction.atomic
def _organizations_upsert_batch(
    batch: list[tuple[str, dict, Source]], rejected: list[Problem]
) -> dict[str, tuple[Organization, str]]:
    """organization_upsert for many at once: one query finds them, a few statements write them. Records
    that cannot be imported are added to ``rejected``."""
    existing = _by_hsds_id(Organization.objects.select_for_update(), [hsds_id for hsds_id, _, _ in batch])
    results: dict[str, tuple[Organization, str]] = {}
    new, changed = [], []
    for hsds_id, data, source in batch:
        try:
            fields = organization_fields(data)
            organization = existing.get(hsds_id)
            if organization is None:
                if not fields["name"]:
                    raise RecordError(f"organization {hsds_id} has no name")
                new.append((hsds_id, fields))
                continue
        except RecordError as error:
            rejected.append(Problem(source, error.message))
            continue
        changes = _organization_changes(organization, fields)
        for name, value in changes.items():
            setattr(organization, name, value)
        if changes:
            changed.append((organization, changes))
        results[hsds_id] = (organization, "updated" if changes else "unchanged")
    if new:
        taken = _taken_slugs()
        slugs = [_unique_slug(fields["name"], hsds_id, taken) for hsds_id, fields in new]
        groups = Group.objects.bulk_create([Group(name=f"org:{slug}:admins") for slug in slugs])
        created = Organization.objects.bulk_create(
            [
                Organization(slug=slug, admin_group=group, hsds_id=hsds_id, **fields)
                for (hsds_id, fields), slug, group in zip(new, slugs, groups)
            ]
        )
        results.update({hsds_id: (organization, "created") for (hsds_id, _), organization in zip(new, created)})
    if changed:
        Organization.objects.bulk_update(
            [organization for organization, _ in changed], sorted({name for _, changes in changed for name in changes})
        )
    return results


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


def _check_owner(program: Program, draft: Draft, organization: Organization) -> None:
    if program.organization_id != organization.pk:
        raise RecordError(
            f"service {draft.hsds_id} is already in the directory under "
            f"{program.organization.name}; move it in the admin first"
        )


@transaction.atomic
def program_upsert(*, draft: Draft, organization: Organization) -> str:
    """Creates or updates the program of one HSDS service. Returns created, updated or unchanged."""
    program = _by_hsds_id(
        Program.objects.unscoped("an HSDS id names one program of the shared directory")
        .select_for_update()
        .select_related("organization"),
        [draft.hsds_id],
    ).get(draft.hsds_id)
    categories = [category_get_or_create(name=name) for name in draft.categories]
    categories = [category for category in categories if category.slug]
    if program is None:
        fields = {**draft.fields, **_capacity_changes(None, draft.capacity)}
        program_create(organization=organization, categories=categories, hsds_id=draft.hsds_id, **fields)
        return "created"
    _check_owner(program, draft, organization)
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


@transaction.atomic
def _programs_upsert_batch(
    batch: list[tuple[Draft, Organization, Source]], rejected: list[Problem]
) -> list[tuple[Draft, Source, str]]:
    """program_upsert for many at once: one query finds the programs, one their categories, a few statements
    write them. A service that cannot be saved for a reason of its own (another organization's) is added to
    ``rejected``; a database error fails the whole batch (the caller then saves its services one by one)."""
    existing = _by_hsds_id(
        Program.objects.unscoped("HSDS ids name programs of the shared directory")
        .select_for_update(of=("self",))
        .select_related("organization"),
        [draft.hsds_id for draft, _, _ in batch],
    )
    current_categories: dict[int, set[int]] = {}
    for program_id, category_id in Program.categories.through.objects.filter(
        program_id__in=[program.pk for program in existing.values()]
    ).values_list("program_id", "category_id"):
        current_categories.setdefault(program_id, set()).add(category_id)
    categories = categories_get_or_create(names={name for draft, _, _ in batch for name in draft.categories})

    outcomes, new, updates = [], [], []
    for draft, organization, source in batch:
        wanted = list(
            {categories[name].pk: categories[name] for name in draft.categories if name in categories}.values()
        )
        program = existing.get(draft.hsds_id)
        if program is None:
            new.append(
                {
                    "organization": organization,
                    "hsds_id": draft.hsds_id,
                    "categories": wanted,
                    **draft.fields,
                    **_capacity_changes(None, draft.capacity),
                }
            )
            outcomes.append((draft, source, "created"))
            continue
        try:
            _check_owner(program, draft, organization)
        except RecordError as error:
            rejected.append(Problem(source, error.message))
            continue
        changes = {field: value for field, value in draft.fields.items() if getattr(program, field) != value}
        changes.update(_capacity_changes(program, draft.capacity))
        categories_changed = {c.pk for c in wanted} != current_categories.get(program.pk, set())
        if changes or categories_changed:
            updates.append((program, changes, wanted if categories_changed else None))
            outcomes.append((draft, source, "updated"))
        else:
            outcomes.append((draft, source, "unchanged"))
    program_create_many(entries=new)
    program_update_many(updates=updates)
    return outcomes


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _save_organizations(
    organizations: dict[str, tuple[dict, Source]], report: ImportReport, *, batch_size: int, progress
) -> dict[str, Organization]:
    saved: dict[str, Organization] = {}
    items = [(hsds_id, data, source) for hsds_id, (data, source) in organizations.items()]
    done = 0
    for batch in _chunks(items, batch_size):
        try:
            rejected: list[Problem] = []
            results = _organizations_upsert_batch(batch, rejected)
            report.rejected.extend(rejected)
        except (DatabaseError, ValidationError):
            results = {}
            for hsds_id, data, source in batch:  # one by one: only the faulty organization is refused
                try:
                    results[hsds_id] = organization_upsert(data=data)
                except RecordError as error:
                    report.rejected.append(Problem(source, error.message))
                except (DatabaseError, ValidationError) as error:
                    report.rejected.append(Problem(source, f"organization {hsds_id} could not be saved: {error}"))
        for hsds_id, (organization, outcome) in results.items():
            saved[hsds_id] = organization
            report.organizations_created += outcome == "created"
            report.organizations_updated += outcome == "updated"
        done += len(batch)
        if progress and len(items) > batch_size:
            progress(f"organizations: {done}/{len(items)} saved")
    return saved


def _save_services(
    drafts: list[tuple[Draft, Organization, Source]],
    report: ImportReport,
    *,
    batch_size: int,
    progress,
    progress_every: int,
) -> None:
    done = 0
    for batch in _chunks(drafts, batch_size):
        try:
            rejected: list[Problem] = []
            outcomes = _programs_upsert_batch(batch, rejected)
            report.rejected.extend(rejected)
        except (DatabaseError, ValidationError):
            outcomes = []
            for draft, organization, source in batch:  # one by one: only the faulty service is refused
                try:
                    outcomes.append((draft, source, program_upsert(draft=draft, organization=organization)))
                except RecordError as error:
                    report.rejected.append(Problem(source, error.message))
                except (DatabaseError, ValidationError) as error:
                    report.rejected.append(Problem(source, f"service {draft.hsds_id} could not be saved: {error}"))
        for draft, source, outcome in outcomes:
            getattr(report, outcome).append(draft.hsds_id)
            report.warnings.extend(Problem(source, f"service {draft.hsds_id}: {w}") for w in draft.warnings)
        before, done = done, done + len(batch)
        if (
            progress
            and (done // progress_every > before // progress_every or done == len(drafts))
            and len(drafts) >= progress_every
        ):
            progress(f"services: {done}/{len(drafts)} saved")


def hsds_import(
    *, path: Path, progress=None, progress_every: int = PROGRESS_EVERY, batch_size: int = BATCH_SIZE
) -> ImportReport:
    """Reads ``path`` (see read_path) and upserts every service in it. Raises ImportPathError only when
    there is nothing to read; everything else is reported in the returned ImportReport."""

    def reader_progress(label: str, rows: int) -> None:
        if progress and rows % progress_every == 0:
            progress(f"{label}: {rows} rows read")

    reading = read_path(Path(path), progress=reader_progress)
    report = ImportReport(rejected=list(reading.rejected), warnings=list(reading.warnings))

    # Organizations first, from their own records and from the services that embed them.
    organizations: dict[str, tuple[dict, Source]] = {}
    for data, source in [(r.data, r.source) for r in reading.organizations] + [
        (organization_of(r.data), r.source) for r in reading.services
    ]:
        hsds_id = text(data.get("id"))
        if not hsds_id or set(data) == {"id"}:
            continue
        previous = organizations.get(hsds_id)
        organizations[hsds_id] = (merge_records(previous[0], data), previous[1]) if previous else (data, source)
    saved = _save_organizations(organizations, report, batch_size=batch_size, progress=progress)

    # Then each service, merged across the files that mention it.
    services: dict[str, tuple[dict, Source]] = {}
    for record in reading.services:
        hsds_id = text(record.data.get("id"))
        key = hsds_id or f"\0{record.source}"
        previous = services.get(key)
        services[key] = (
            (merge_records(previous[0], record.data), previous[1]) if previous else (record.data, record.source)
        )
    drafts, unknown = [], []
    for data, source in services.values():
        try:
            draft = service_draft(data)
        except RecordError as error:
            report.rejected.append(Problem(source, error.message))
            continue
        organization = saved.get(draft.organization["id"])
        if organization is None:
            unknown.append((draft, source))
        else:
            drafts.append((draft, organization, source))
    if unknown:  # services of organizations already in the directory, not in this import
        known = _by_hsds_id(Organization.objects, list({draft.organization["id"] for draft, _ in unknown}))
        for draft, source in unknown:
            organization = known.get(draft.organization["id"])
            if organization is None:
                report.rejected.append(
                    Problem(
                        source,
                        f"service {draft.hsds_id}: organization "
                        f"{draft.organization['id']} is neither in this import "
                        "nor in the directory",
                    )
                )
            else:
                drafts.append((draft, organization, source))
    _save_services(drafts, report, batch_size=batch_size, progress=progress, progress_every=progress_every)
    report.rejected.sort(key=lambda problem: _source_order(problem.source))
    return report


def _source_order(source: Source):
    return (source.file, source.line or 0)
