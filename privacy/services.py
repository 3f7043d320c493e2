"""Access records and data rights (export, erasure, retention).

``access_record`` is called by every view that shows a seeker or a referral to a staff user and by every
email-link page; it is one INSERT. ``access_records_for_many`` does the same for a request that returns many
people (the API's lists, FHIR searches, the CSV exports): one row per person returned, in one query. Export and erasure are for organization admins and are themselves
recorded.
"""

from __future__ import annotations

from datetime import timedelta

import pgtrigger
from django.conf import settings
from django.db import connection, transaction
from django.db.models import BigIntegerField, F, Max, Q, QuerySet, Value
from django.utils import timezone

from core import erasure
from core.client import client_address

from . import signals
from .models import AccessRecord

ERASED_NAME = erasure.ERASED_NAME
ERASED_TEXT = erasure.ERASED_TEXT
USER_AGENT_MAX_LENGTH = 300

Via = AccessRecord.Via
Action = AccessRecord.Action


def _actor(user, via, actor_display):
    """The staff user to record (None for a seeker's link or the system) and the name the record shows."""
    if actor_display is None:
        if user is not None and user.is_authenticated:
            actor_display = user.short_name
        elif via == Via.EMAIL_LINK:
            actor_display = "Seeker (email link)"
        else:
            actor_display = "System"
    if user is not None and not user.is_authenticated:
        user = None
    return user, actor_display


def _user_agent(request) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX_LENGTH] if request is not None else ""


def access_record(
    *,
    user=None,
    seeker=None,
    referral=None,
    request=None,
    via: str = Via.WEB,
    action: str = Action.VIEWED,
    actor_display: str | None = None,
) -> AccessRecord:
    """Record that ``user`` (or, with no user, the seeker through an email link) saw a seeker or referral.

    One INSERT and no other query when ``seeker`` or ``referral.seeker`` is already loaded (the views
    fetch it anyway). The actor's organization is read from the membership cache of the request when
    there is one, so no extra query is made for it either.
    """
    if seeker is None and referral is None:
        raise ValueError("access_record needs a seeker or a referral")
    if seeker is None:
        seeker = referral.seeker
    user, actor_display = _actor(user, via, actor_display)
    return AccessRecord.objects_across_tenants.create(
        organization_id=seeker.organization_id,
        user=user,
        actor_display=actor_display,
        seeker=seeker,
        referral=referral,
        action=action,
        via=via,
        ip_address=client_address(request),
        user_agent=_user_agent(request),
    )


def access_records_for_many(
    *, user, request=None, via: str, action: str = Action.LISTED, referrals=None, seekers=None
) -> int:
    """Record that one request (a list, a search, an export) showed ``user`` many people: one row per
    referral (naming its seeker) or per seeker returned, written by ONE query whatever their number.

    ``referrals`` / ``seekers`` are either the objects a page already loaded (a list: one bulk INSERT, no
    other query; a referral's ``seeker_id`` and ``seeker.organization_id`` must be loaded, as the pages'
    ``select_related("seeker")`` does) or a queryset of everything the response holds (an export: one
    ``INSERT ... SELECT`` on PostgreSQL, so nothing is loaded into memory). Returns how many were recorded.
    """
    if (referrals is None) == (seekers is None):
        raise ValueError("access_records_for_many needs referrals or seekers (one of them)")
    user, actor_display = _actor(user, via, None)
    common = {
        "user_id": user.pk if user is not None else None,
        "actor_display": actor_display,
        "action": action,
        "via": via,
        "ip_address": client_address(request),
        "user_agent": _user_agent(request),
        "created_at": timezone.now(),
    }
    rows = referrals if referrals is not None else seekers
    if isinstance(rows, QuerySet):
        return _access_records_for_queryset(rows, is_referrals=referrals is not None, common=common)
    if referrals is not None:
        records = [
            AccessRecord(
                organization_id=referral.seeker.organization_id,
                seeker_id=referral.seeker_id,
                referral_id=referral.pk,
                **common,
            )
            for referral in referrals
        ]
    else:
        records = [
            AccessRecord(organization_id=seeker.organization_id, seeker_id=seeker.pk, **common) for seeker in seekers
        ]
    if records:
        AccessRecord.objects_across_tenants.bulk_create(records)
    return len(records)


def _access_records_for_queryset(rows: QuerySet, *, is_referrals: bool, common: dict) -> int:
    if is_referrals:
        selected = rows.order_by().values(
            record_organization=F("seeker__organization_id"), record_seeker=F("seeker_id"), record_referral=F("pk")
        )
    else:
        selected = rows.order_by().values(
            record_organization=F("organization_id"),
            record_seeker=F("pk"),
            record_referral=Value(None, output_field=BigIntegerField()),
        )
    if connection.vendor != "postgresql":  # development on SQLite: no UUIDs in SQL; batches of loaded ids
        records = [
            AccessRecord(
                organization_id=row["record_organization"],
                seeker_id=row["record_seeker"],
                referral_id=row["record_referral"],
                **common,
            )
            for row in selected.iterator()
        ]
        AccessRecord.objects_across_tenants.bulk_create(records, batch_size=500)
        return len(records)
    select_sql, select_params = selected.query.sql_with_params()
    table = AccessRecord._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (public_id, organization_id, seeker_id, referral_id, user_id, actor_display, "
            "actor_organization, action, via, ip_address, user_agent, created_at) "
            "SELECT gen_random_uuid(), chosen.record_organization, chosen.record_seeker, chosen.record_referral, "
            "%s, %s, '', %s, %s, %s::inet, %s, %s "
            f"FROM ({select_sql}) AS chosen",
            [
                common["user_id"],
                common["actor_display"],
                common["action"],
                common["via"],
                common["ip_address"],
                common["user_agent"],
                common["created_at"],
                *select_params,
            ],
        )
        return cursor.rowcount


def access_records_for_seeker(*, seeker, limit: int = 200):
    """Who looked at this person, newest first (the seeker was fetched in the admin's scope)."""
    return (
        AccessRecord.objects.for_organization(seeker.organization_id)
        .filter(seeker=seeker)
        .select_related("referral", "referral__program")
        .order_by("-created_at", "-id")[:limit]
    )


# --- export -----------------------------------------------------------------------------------------------


def _iso(value):
    return value.isoformat() if value else None


def seeker_export(*, actor, seeker, request=None, via: str = Via.WEB) -> dict:
    """Everything held about ``seeker``: profile, goals, referrals with notes and history, access records.

    The caller has fetched ``seeker`` in ``actor``'s scope and checked that ``actor`` administers its
    organization. The export itself is recorded.
    """
    goals = [
        {
            "id": str(goal.public_id),
            "title": goal.title,
            "status": goal.status,
            "created_at": _iso(goal.created_at),
            "closed_at": _iso(goal.closed_at),
        }
        for goal in seeker.goals.order_by("created_at")
    ]
    referrals = []
    for referral in seeker.referrals.select_related(
        "program", "program__organization", "organization", "referred_by", "goal"
    ).order_by("sent_at"):
        referrals.append(
            {
                "id": str(referral.public_id),
                "program": referral.program.name,
                "program_organization": referral.program.organization.name,
                "referring_organization": None if referral.is_self_referral else referral.organization.name,
                "referred_by": referral.referred_by.short_name if referral.referred_by_id else None,
                "self_referral": referral.is_self_referral,
                "sent_at": _iso(referral.sent_at),
                "status": referral.status,
                "status_reason": referral.status_reason,
                "urgency": referral.urgency,
                "comment": referral.comment,
                "intake_answers": [
                    {"question": answer.get("text", ""), "answer": answer.get("answer")}
                    for answer in referral.intake_answers or []
                ],
                "goal": str(referral.goal.public_id) if referral.goal_id else None,
                "consent": {
                    "given_at": _iso(referral.consent_given_at),
                    "method": referral.consent_method,
                    "withdrawn_at": _iso(referral.consent_withdrawn_at),
                },
                "outcomes": {
                    "seeker": referral.seeker_outcome,
                    "program": referral.program_outcome,
                    "referrer": referral.referrer_outcome,
                },
                "closed_at": _iso(referral.closed_at),
                "notes": [
                    {
                        "id": str(note.public_id),
                        "author": note.author_display,
                        "author_organization": note.author_organization,
                        "body": note.body,
                        "created_at": _iso(note.created_at),
                    }
                    for note in referral.notes.order_by("created_at")
                ],
                "history": [
                    {
                        "kind": event.kind,
                        "actor": event.actor_display,
                        "actor_organization": event.actor_organization,
                        "via": event.via,
                        "from_status": event.from_status,
                        "to_status": event.to_status,
                        "reason": event.reason,
                        "detail": event.detail,
                        "created_at": _iso(event.created_at),
                    }
                    for event in referral.events.order_by("created_at", "id")
                ],
            }
        )
    access = [
        {
            "who": record.actor_display,
            "action": record.action,
            "via": record.via,
            "referral": str(record.referral.public_id) if record.referral_id else None,
            "at": _iso(record.created_at),
        }
        for record in AccessRecord.objects.for_organization(seeker.organization_id)
        .filter(seeker=seeker)
        .select_related("referral")
        .order_by("created_at", "id")
    ]
    data = {
        "exported_at": _iso(timezone.now()),
        "organization": seeker.organization.name,
        "profile": {
            "id": str(seeker.public_id),
            "first_name": seeker.first_name,
            "last_name": seeker.last_name,
            "date_of_birth": _iso(seeker.date_of_birth),
            "zip_code": seeker.zip_code,
            "email": seeker.email,
            "phone": seeker.phone,
            "preferred_language": seeker.preferred_language,
            "contact_preference": seeker.contact_preference,
            "household_size": seeker.household_size,
            "monthly_income": str(seeker.monthly_income) if seeker.monthly_income is not None else None,
            "languages": list(seeker.languages),
            "created_at": _iso(seeker.created_at),
            "last_activity_at": _iso(seeker.last_activity_at),
            # Other systems' ids for the person (an EHR's record number, sent with a FHIR referral).
            "identifiers": [
                {"system": row.system, "value": row.value, "recorded_at": _iso(row.created_at)}
                for row in seeker.identifiers.order_by("created_at", "id")
            ],
        },
        "goals": goals,
        "referrals": referrals,
        "access_records": access,
    }
    access_record(user=actor, seeker=seeker, request=request, via=via, action=Action.EXPORTED)
    return data


# --- erasure ----------------------------------------------------------------------------------------------


def seeker_is_erased(seeker) -> bool:
    return seeker.first_name == ERASED_NAME and not seeker.last_name and not seeker.email and not seeker.phone


@transaction.atomic
def seeker_erase(*, actor, seeker, request=None, via: str = Via.WEB):
    """Removes the seeker's personal data and keeps their referrals as de-identified records.

    What happens, and why:
    - profile: the name becomes "Erased person"; birth date, zip code, email, phone, household size, income,
      languages, the link to their
      own account and the identifiers other systems keep for them (an EHR's record number) are removed;
      the contact preference becomes "do not contact" so nothing is ever sent.
    - referrals stay (program, organizations, dates, statuses, outcomes), so the figures of both sides
      remain true; the comment made at referral time (free text about the person) and the answers to the
      program's intake questions (with the questions as they were asked) are removed.
    - notes: the rows stay (who wrote one, when) but every body is replaced by "(erased)": notes are free
      text about the person and cannot be told apart from ordinary remarks.
    - goals: titles replaced by "(erased)"; statuses stay.
    - history (ReferralEvent) is append-only and is not rewritten, with two narrow exceptions under
      ``pgtrigger.ignore``: goal titles copied into "goal changed" events, and the seeker's own name
      shown as the actor of events they made from their account. Everything else an event holds is
      staff names, statuses and ids.
    - access records keep who looked (staff); the IP address and browser of the seeker's own email-link
      visits are removed, from the access records and from the "email link used" events (same narrow
      ``pgtrigger.ignore``), because those are the seeker's data.
    - every other copy, through the scrubbers the apps register (``core.erasure``), in this transaction:
      the outbox rows of every channel about the person (subject and bodies blanked, their address removed,
      unsent ones stopped), webhook delivery bodies naming them as an actor, the Inbound Referrals page
      cache (the programs' pages are no longer served), the admin's log entries naming them, sign-in logs
      of their address, the access records of their own account, and their own account (anonymized and
      deactivated, unless it is also a staff account).
    The erasure is recorded as an access record (action "erased").
    """
    seeker = type(seeker).objects.unscoped("the seeker being erased, locked").select_for_update().get(pk=seeker.pk)
    seeker_user_id = seeker.user_id
    seeker_short = f"{seeker.first_name}{' ' + seeker.last_name[:1] + '.' if seeker.last_name else ''}".strip()
    referral_ids = list(seeker.referrals.values_list("pk", flat=True))
    person = _person(seeker, seeker_short=seeker_short, referral_ids=referral_ids)
    erasure.erase_copies(person)  # first: some copies are found through rows cleared below (identifiers)

    seeker.first_name = ERASED_NAME
    seeker.last_name = ""
    seeker.date_of_birth = None
    seeker.zip_code = ""
    seeker.email = ""
    seeker.phone = ""
    seeker.household_size = None
    seeker.monthly_income = None
    seeker.languages = []
    seeker.user = None
    seeker.contact_preference = seeker.ContactPreference.DO_NOT_CONTACT
    seeker.save()

    seeker.identifiers.all().delete()  # other systems' ids (record numbers) name the person too
    seeker.goals.update(title=ERASED_TEXT)
    seeker.referrals.update(comment="", intake_answers=[])
    # Notes and history live in referrals, which scrubs them (privacy.signals; referrals.signals.seeker_erasing).
    signals.seeker_erasing.send(
        sender=AccessRecord, seeker=seeker, referral_ids=referral_ids, user_id=seeker_user_id, short_name=seeker_short
    )

    with pgtrigger.ignore("privacy.AccessRecord:protect_access_records"):
        (
            AccessRecord.objects.unscoped("the erased seeker's email-link visits")
            .filter(seeker=seeker, user__isnull=True, via=Via.EMAIL_LINK)
            .update(ip_address=None, user_agent="")
        )

    access_record(
        user=actor,
        seeker=seeker,
        request=request,
        via=via,
        action=Action.ERASED,
        actor_display=None if actor is not None else "System (retention)",
    )
    return seeker


def _person(seeker, *, seeker_short: str, referral_ids: list[int]) -> erasure.Person:
    """What the copies may hold about ``seeker``, read before the profile is cleared."""
    names = {seeker.full_name, seeker_short, f"{seeker.first_name} {seeker.last_name}".strip()}
    emails = {seeker.email, seeker.email.lower()}
    account = seeker.user
    if account is not None and _is_staff_account(account):
        account = None  # a worker's own account linked to a profile stays theirs: only the link goes
    if account is not None:
        names |= {account.short_name, f"{account.first_name} {account.last_name}".strip()}
        emails |= {account.email, account.email.lower()}
    program_ids = set(seeker.referrals.values_list("program_id", flat=True))
    return erasure.Person(
        seeker_id=seeker.pk,
        organization_id=seeker.organization_id,
        referral_ids=tuple(referral_ids),
        user_id=account.pk if account is not None else None,
        names=tuple(sorted(name for name in names if name)),
        emails=tuple(sorted(email for email in emails if email)),
        phones=tuple([seeker.phone] if seeker.phone else []),
        program_ids=tuple(sorted(program_ids)),
    )


def _is_staff_account(user) -> bool:
    from accounts.models import Membership

    return user.is_staff or user.is_superuser or Membership.objects.filter(user_id=user.pk).exists()


# --- the copies privacy keeps an eye on (registered in PrivacyConfig.ready) ---------------------------------


def erase_account_records(person: erasure.Person) -> None:
    """The access records of the person's own account: their name as the actor, their address and browser."""
    if person.user_id is None:
        return
    with pgtrigger.ignore("privacy.AccessRecord:protect_access_records"):
        AccessRecord.objects.unscoped("the erased person's own visits").filter(user_id=person.user_id).update(
            actor_display=ERASED_NAME, ip_address=None, user_agent=""
        )


def erase_admin_log(person: erasure.Person) -> None:
    """The admin's log names the objects it changed (``object_repr``: a profile's name). This covers the
    person's profile, goals, identifiers and own account; referrals registers the same for its referrals and
    notes (referrals.signals.erase_admin_log), as each app knows its own objects."""
    from goals.models import Goal
    from seekers.models import Seeker, SeekerIdentifier

    goal_ids = (
        Goal.objects.unscoped("the erased person's goals")
        .filter(seeker_id=person.seeker_id)
        .values_list("pk", flat=True)
    )
    identifier_ids = (
        SeekerIdentifier.objects.unscoped("the erased person's identifiers")
        .filter(seeker_id=person.seeker_id)
        .values_list("pk", flat=True)
    )
    objects = {Seeker: [person.seeker_id], Goal: list(goal_ids), SeekerIdentifier: list(identifier_ids)}
    if person.user_id is not None:
        from django.contrib.auth import get_user_model

        objects[get_user_model()] = [person.user_id]
    erase_admin_log_for(objects)


def erase_admin_log_for(objects: dict) -> None:
    """Blanks the admin log's name of each object given as ``{model: [primary keys]}``."""
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    condition = Q(pk__in=[])
    for model, ids in objects.items():
        if ids:
            condition |= Q(content_type=ContentType.objects.get_for_model(model), object_id__in=[str(pk) for pk in ids])
    LogEntry.objects.filter(condition).update(object_repr=ERASED_TEXT)


def erase_own_account(person: erasure.Person) -> None:
    """The person's own sign-in account (a seeker's; ``Person.user_id`` is never a staff account): its name and
    address are removed and it is deactivated (it cannot be deleted: history and access records name it)."""
    from django.contrib.auth import get_user_model

    if person.user_id is None:
        return
    account = get_user_model().objects.filter(pk=person.user_id).first()
    if account is None or _is_staff_account(account):
        return
    from security.services import user_deactivate

    account.first_name = ""
    account.last_name = ""
    account.email = f"erased-{account.pk}@erased.invalid"
    account.set_unusable_password()
    account.save(update_fields=["first_name", "last_name", "email", "password"])
    user_deactivate(user=account)


def seekers_due_for_erasure(*, now=None):
    """Seekers with no activity for SEEKER_RETENTION_DAYS (0 = keep forever), not yet erased."""
    from seekers.models import Seeker

    days = getattr(settings, "SEEKER_RETENTION_DAYS", 0)
    if not days:
        return Seeker.objects.none()._scoped()
    cutoff = (now or timezone.now()) - timedelta(days=days)
    queryset = Seeker.objects.unscoped("retention runs across every tenant").annotate(
        last_referral_change=Max("referrals__updated_at")
    )
    return (
        queryset.filter(last_activity_at__lt=cutoff, updated_at__lt=cutoff)
        .filter(Q(last_referral_change__isnull=True) | Q(last_referral_change__lt=cutoff))
        .exclude(first_name=ERASED_NAME, last_name="", email="", phone="")
    )


def seekers_erase_inactive(*, now=None) -> int:
    """The retention sweep: erases every seeker due (see seekers_due_for_erasure). Safe to run twice."""
    erased = 0
    for seeker_id in list(seekers_due_for_erasure(now=now).values_list("pk", flat=True)):
        from seekers.models import Seeker

        seeker = Seeker.objects.unscoped("retention erases across every tenant").get(pk=seeker_id)
        seeker_erase(actor=None, seeker=seeker, via=Via.SYSTEM)
        erased += 1
    return erased
