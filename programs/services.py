"""Programs and their claimers. Claimer rows and the program's group move together."""

import json
import uuid
from pathlib import Path

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone

from accounts.models import Organization, User
from core.errors import InvalidInput
from core.text import clean_text

from . import policies
from .models import Category, Program, ProgramClaimer
from .signals import categories_replacing


def _claimer_group_name(organization: Organization) -> str:
    return f"program:{organization.slug}:{uuid.uuid4().hex}"


@transaction.atomic
def program_create(*, organization: Organization, name: str, categories=(), **fields) -> Program:
    group = Group.objects.create(name=_claimer_group_name(organization))
    program = Program.objects_across_tenants.create(organization=organization, name=name, group=group, **fields)
    if categories:
        program.categories.set(categories)
    return program


@transaction.atomic
def program_create_many(*, entries: list[dict]) -> list[Program]:
    """Creates many programs in a few statements (a directory import): each entry holds what program_create
    takes (``organization``, ``name``, ``categories`` and fields), and each program gets its own claimer
    group, as there. All are created or none."""
    groups = Group.objects.bulk_create([Group(name=_claimer_group_name(entry["organization"])) for entry in entries])
    programs = [
        Program(group=group, **{key: value for key, value in entry.items() if key != "categories"})
        for entry, group in zip(entries, groups)
    ]
    programs = Program.objects_across_tenants.bulk_create(programs)
    links = [
        Program.categories.through(program_id=program.pk, category_id=category.pk)
        for program, entry in zip(programs, entries)
        for category in entry.get("categories", ())
    ]
    Program.categories.through.objects.bulk_create(links)
    return programs


@transaction.atomic
def program_update_many(*, updates: list[tuple[Program, dict, list | None]]) -> None:
    """Writes many programs' changed fields in a few statements (a directory import): each update is
    (program, {field: value}, the new categories or None to keep them). Every program is marked updated now
    and announced as Program.save() announces it (post_save), so what listens to program changes (the
    Inbound Referrals cache) hears of these too."""
    if not updates:
        return
    now = timezone.now()
    fields = {"updated_at"}
    for program, changes, _ in updates:
        for name, value in changes.items():
            setattr(program, name, value)
        program.updated_at = now
        fields.update(changes)
    Program.objects.unscoped("programs of the shared directory, by their keys").bulk_update(
        [program for program, _, _ in updates], sorted(fields), batch_size=500
    )
    recategorized = [(program, categories) for program, _, categories in updates if categories is not None]
    if recategorized:
        program_ids = [p.pk for p, _ in recategorized]
        written = categories_replacing.send(sender=Program, program_ids=program_ids)
        Program.categories.through.objects.filter(program_id__in=program_ids).delete()
        Program.categories.through.objects.bulk_create(
            [
                Program.categories.through(program_id=program.pk, category_id=category.pk)
                for program, categories in recategorized
                for category in categories
            ]
        )
        for _, after in written:
            if after is not None:
                after()
    for program, changes, _ in updates:
        post_save.send(
            sender=Program,
            instance=program,
            created=False,
            update_fields=frozenset(changes) | {"updated_at"},
            raw=False,
            using=program._state.db,
        )


def categories_get_or_create(*, names) -> dict[str, Category]:
    """The category of each name (by its slug), created when missing; names without a slug are left out."""
    from django.utils.text import slugify

    by_slug = {}
    for name in names:
        slug = slugify(name)[:120]
        if slug:
            by_slug.setdefault(slug, name)
    if not by_slug:
        return {}
    Category.objects.bulk_create(
        [Category(slug=slug, name=name) for slug, name in by_slug.items()], ignore_conflicts=True
    )
    found = {category.slug: category for category in Category.objects.filter(slug__in=by_slug)}
    return {name: found[slugify(name)[:120]] for name in names if slugify(name)[:120] in found}


NOT_EDITABLE_BY_NETWORK_ADMINS = frozenset({"id", "public_id", "organization", "group", "created_at", "updated_at"})


@transaction.atomic
def program_admin_update(*, program: Program, **fields) -> Program:
    """A network admin edits a program's directory entry in the admin.

    Only the fields given are written (a claimer's change meanwhile to another field is kept); the
    organization and group never change (referral grants were given to them); changed slots mark the slots
    as updated, as when a claimer changes them.
    """
    refused = set(fields) & NOT_EDITABLE_BY_NETWORK_ADMINS
    if refused:
        raise InvalidInput(f"program_admin_update() cannot change {', '.join(sorted(refused))}", code="not_editable")
    errors = _eligibility_errors(program, fields)
    if errors:
        raise InvalidInput(errors=errors)
    for name, value in fields.items():
        setattr(program, name, value)
    if {"capacity_available", "capacity_maximum"} & set(fields) and "capacity_updated_at" not in fields:
        program.capacity_updated_at = timezone.now()
        fields["capacity_updated_at"] = program.capacity_updated_at
    if fields:
        program.save(update_fields=sorted({*fields, "updated_at"}))
    return program


@transaction.atomic
def program_add_claimer(*, program: Program, user: User, joined_at=None) -> ProgramClaimer:
    claimer, _ = ProgramClaimer.objects.get_or_create(
        program=program, user=user, defaults={"joined_at": joined_at or timezone.now()}
    )
    user.groups.add(program.group)
    return claimer


@transaction.atomic
def program_remove_claimer(*, program: Program, user: User) -> None:
    ProgramClaimer.objects.filter(program=program, user=user).delete()
    user.groups.remove(program.group)


def member_removed_received(sender, *, user: User, organization: Organization, **kwargs) -> None:
    """accounts.signals.member_removed: the person's claims on the organization's programs end."""
    for claim in ProgramClaimer.objects.filter(user=user, program__organization=organization).select_related("program"):
        program_remove_claimer(program=claim.program, user=user)


def category_get_or_create(*, name: str) -> Category:
    from django.utils.text import slugify

    category, _ = Category.objects.get_or_create(slug=slugify(name)[:120], defaults={"name": name})
    return category


def _eligibility_errors(program: Program, fields: dict) -> dict:
    """Cleans the eligibility rules among ``fields`` in place (programs.eligibility.clean_rules); the errors by
    field. An age range is checked against the age the edit leaves unchanged."""
    from .eligibility import clean_rules

    given = {name: fields[name] for name in ELIGIBILITY_FIELDS if name in fields}
    if not given:
        return {}
    values, errors = clean_rules(given)
    fields.update(values)
    low = values["min_age"] if "min_age" in values else program.min_age
    high = values["max_age"] if "max_age" in values else program.max_age
    if not errors.get("min_age") and not errors.get("max_age") and low is not None and high is not None and low > high:
        errors["max_age" if "max_age" in values else "min_age"] = "The maximum age cannot be below the minimum age."
    return errors


# Program listing for claimers (web-b).
EDITABLE_BY_CLAIMERS = {
    "description": 5000,
    "eligibility": 2000,
    "next_steps": 2000,
    "next_steps_es": 2000,
    "accepts_referrals": None,
    "capacity_available": None,
    "capacity_maximum": None,
    "counts_slots": None,
    "round_robin_assignment": None,
}
MAX_SLOTS = 100_000
# The structured eligibility (programs.eligibility reads it, clean_rules checks it).
ELIGIBILITY_FIELDS = (
    "min_age",
    "max_age",
    "service_area_zip_codes",
    "service_radius_miles",
    "income_limit_percent_of_poverty",
    "languages",
    "required_documents",
)
LISTING_LABELS = {
    "description": "description",
    "eligibility": "eligibility",
    "next_steps": "next steps",
    "next_steps_es": "next steps in Spanish",
}


@transaction.atomic
def program_update(*, actor: User, program: Program, capacity_confirmed: bool = False, **fields) -> Program:
    """A claimer (or their organization's admin) edits the program's listing.

    Guarantees: only the fields claimers own can change (others are refused); NotAllowed for anyone else;
    InvalidInput (by field) for text that is too long or slots that do not add up, and then nothing is
    written. ``capacity_updated_at`` is set when the open or maximum slots change, or when the claimer
    confirms the slots are still right (``capacity_confirmed``).
    """
    unknown = set(fields) - set(EDITABLE_BY_CLAIMERS) - set(ELIGIBILITY_FIELDS)
    if unknown:
        raise InvalidInput(f"program_update() cannot change {', '.join(sorted(unknown))}", code="not_editable")
    policies.check(actor, "edit_listing", program)
    program = Program.objects.unscoped("the program being edited, locked").select_for_update().get(pk=program.pk)
    errors = _eligibility_errors(program, fields)
    for name, max_length in EDITABLE_BY_CLAIMERS.items():
        if name not in fields:
            continue
        value = fields[name]
        if max_length is not None:
            try:
                value = clean_text(value, field=name, label=LISTING_LABELS[name], max_length=max_length)
            except InvalidInput as error:
                errors.update(error.errors)
        elif name.startswith("capacity_"):
            if value is not None and (
                not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_SLOTS
            ):
                errors[name] = f"A whole number from 0 to {MAX_SLOTS}."
        else:
            value = bool(value)
        fields[name] = value
    available = fields.get("capacity_available", program.capacity_available)
    maximum = fields.get("capacity_maximum", program.capacity_maximum)
    if not errors and available is not None and maximum is not None and available > maximum:
        errors["capacity_available"] = "Open slots cannot be more than the maximum."
    if not errors and fields.get("counts_slots", program.counts_slots) and available is None:
        errors["capacity_available"] = "Say how many slots are open now, so that accepting can count them."
    if errors:
        raise InvalidInput(errors=errors)
    capacity_changed = any(
        name in fields and fields[name] != getattr(program, name) for name in ("capacity_available", "capacity_maximum")
    )
    for name, value in fields.items():
        setattr(program, name, value)
    if capacity_changed or capacity_confirmed:
        program.capacity_updated_at = timezone.now()
    program.save()
    return program


# ---------------------------------------------------------------------------------------------------------
# Organization admins: a program's claimers and its sharing switch (the Organization pages). Each refuses
# anyone but an admin of the program's organization (or a network admin) with NotAllowed and bad input with
# InvalidInput before writing anything, and is recorded in the program's admin history.


def _admin_required(actor, program: Program) -> None:
    policies.check(actor, "manage_claimers", program)


def _record(actor, program: Program, message: str) -> None:
    from accounts.services import organization_change_record

    organization_change_record(actor=actor, obj=program, message=message)


@transaction.atomic
def organization_program_add_claimer(*, actor: User, program: Program, user: User) -> ProgramClaimer:
    """Only members of the program's organization become its claimers. They see its inbound referrals at once."""
    from accounts.models import Membership

    _admin_required(actor, program)
    if not Membership.objects.filter(organization_id=program.organization_id, user=user).exists():
        raise InvalidInput(
            f"{user.display_name} is not a member of {program.organization.name}. Add them on the Members page first.",
            code="not_a_member",
        )
    if ProgramClaimer.objects.filter(program=program, user=user).exists():
        raise InvalidInput(f"{user.display_name} is already a claimer of {program.name}.", code="already_claimer")
    claimer = program_add_claimer(program=program, user=user)
    _record(actor, program, f"Added claimer {user.display_name} <{user.email}>.")
    return claimer


@transaction.atomic
def organization_program_remove_claimer(*, actor: User, program: Program, user: User) -> None:
    _admin_required(actor, program)
    if not ProgramClaimer.objects.filter(program=program, user=user).exists():
        raise InvalidInput(f"{user.display_name} is not a claimer of {program.name}.", code="not_a_claimer")
    program_remove_claimer(program=program, user=user)
    _record(actor, program, f"Removed claimer {user.display_name} <{user.email}>.")


@transaction.atomic
def organization_program_set_sharing(*, actor: User, program: Program, shares_outbound: bool) -> Program:
    """Switches whether every claimer sees the referrals a claimer makes on the program's behalf. Not
    retroactive: grants are given when a referral is made."""
    _admin_required(actor, program)
    shares_outbound = bool(shares_outbound)
    if program.shares_outbound == shares_outbound:
        return program
    program_admin_update(program=program, shares_outbound=shares_outbound)
    _record(actor, program, f"Sharing of outbound referrals switched {'on' if shares_outbound else 'off'}.")
    return program


# ---------------------------------------------------------------------------------------------------------
# The federal poverty guideline that income rules read (programs.eligibility).

DEFAULT_POVERTY_GUIDELINES = Path(__file__).resolve().parent / "data" / "poverty_guidelines.json"


def poverty_guidelines_read(path: Path) -> list[dict]:
    """The rows of a guideline file (programs/data/poverty_guidelines.json's shape), or InvalidInput saying what
    is wrong with it. Reads only the file: no internet."""
    from .eligibility import REGIONS

    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise InvalidInput(f"Cannot read {path}: {error.strerror or error}.", code="unreadable") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidInput(f"{path} is not JSON: {error}.", code="not_json") from None
    if not isinstance(document, dict):
        raise InvalidInput(f"{path}: expected an object with year, source and regions.", code="invalid_guidelines")
    year, source, regions = document.get("year"), document.get("source"), document.get("regions")
    if not isinstance(year, int) or isinstance(year, bool) or not 1960 <= year <= 2200:
        raise InvalidInput(f"{path}: year must be a year like 2026.", code="invalid_guidelines")
    if not isinstance(source, str) or not source.startswith(("https://", "http://")) or len(source) > 500:
        raise InvalidInput(f"{path}: source must be the web address the figures come from.", code="invalid_guidelines")
    if not isinstance(regions, dict) or not regions:
        raise InvalidInput(f"{path}: regions must name at least one region.", code="invalid_guidelines")
    rows = []
    for region, amounts in regions.items():
        if region not in REGIONS:
            raise InvalidInput(
                f"{path}: unknown region {region!r} (expected one of {', '.join(REGIONS)}).", code="invalid_guidelines"
            )
        amounts = amounts if isinstance(amounts, dict) else {}
        first, additional = amounts.get("first_person"), amounts.get("each_additional_person")
        for name, value in (("first_person", first), ("each_additional_person", additional)):
            if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 1_000_000:
                raise InvalidInput(
                    f"{path}: {region}.{name} must be a whole number of dollars.", code="invalid_guidelines"
                )
        rows.append(
            {
                "year": year,
                "region": region,
                "first_person": first,
                "each_additional_person": additional,
                "source": source,
            }
        )
    return rows


def poverty_guidelines_store(rows: list[dict], *, model=None) -> tuple[int, int]:
    """Writes the rows (one per year and region; a row already there is replaced). Returns (created, updated)."""
    from .models import PovertyGuideline

    model = model or PovertyGuideline
    created = updated = 0
    with transaction.atomic():
        for row in rows:
            _, was_created = model.objects.update_or_create(
                year=row["year"],
                region=row["region"],
                defaults={
                    "first_person": row["first_person"],
                    "each_additional_person": row["each_additional_person"],
                    "source": row["source"],
                    "loaded_at": timezone.now(),
                },
            )
            created, updated = created + was_created, updated + (not was_created)
    return created, updated


# ---------------------------------------------------------------------------------------------------------
# A program's intake questions (programs.intake holds the rules).

QUESTION_FIELDS = ("kind", "text", "text_es", "help", "help_es", "required", "choices", "choices_es")


@transaction.atomic
def program_set_questions(*, actor: User, program: Program, questions: list[dict]) -> list:
    """A claimer of the program (or its organization's admin, or a network admin) sets its intake questions, in
    the order given. Each entry holds QUESTION_FIELDS and, to keep an existing question, its ``id`` (public id);
    the program's questions not given are removed.

    Guarantees: NotAllowed for anyone else; InvalidInput with errors named ``<index>-<field>`` (the formset's
    names) for a question with no wording, a choice question without choices, an unknown id..., and then
    nothing is written. Referrals already made keep the questions as they were asked. The change is recorded
    in the program's history."""
    from .intake import MAX_QUESTIONS, clean_question
    from .models import IntakeQuestion

    policies.check(actor, "edit_listing", program)
    program = Program.objects.unscoped("the program being edited, locked").select_for_update().get(pk=program.pk)
    existing = {str(question.public_id): question for question in program.intake_questions.all()}
    errors: dict[str, str] = {}
    if len(questions) > MAX_QUESTIONS:
        errors["__all__"] = f"A program asks at most {MAX_QUESTIONS} questions."
    cleaned = []
    for index, question in enumerate(questions):
        values, problems = clean_question(question)
        key = str(question.get("id") or "")
        if key and key not in existing:
            problems.setdefault("text", "This question was removed meanwhile: reload the page.")
        errors.update({f"{index}-{name}": message for name, message in problems.items()})
        cleaned.append((existing.get(key), values))
    if errors:
        raise InvalidInput(errors=errors)
    kept = {question.pk for question, _ in cleaned if question is not None}
    removed = [question for question in existing.values() if question.pk not in kept]
    IntakeQuestion.objects.filter(pk__in=[question.pk for question in removed]).delete()
    result, changed, added = [], 0, 0
    for position, (question, values) in enumerate(cleaned):
        if question is None:
            question = IntakeQuestion(program=program)
            added += 1
        elif question.position != position or any(getattr(question, name) != values[name] for name in QUESTION_FIELDS):
            changed += 1
        else:
            result.append(question)
            continue
        question.position = position
        for name in QUESTION_FIELDS:
            setattr(question, name, values[name])
        question.save()
        result.append(question)
    if added or changed or removed:
        _record(
            actor,
            program,
            f"Intake questions: {added} added, {changed} changed, {len(removed)} removed ({len(result)} asked now).",
        )
    return result
