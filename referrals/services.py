"""Every change to a referral goes through one of these functions.

Each is atomic, asks the rule book (referrals.policies, which reads the status table referrals.statuses for
status changes) whether the caller may act, and writes its append-only history event, which is published to
the channels' subscribers inside the same transaction (referrals.events). On any refusal a
core.errors.ApplicationError (referrals.errors names the kinds) is raised and nothing is written.
"""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from core.text import clean_text
from programs import capacity
from programs.models import ProgramClaimer

from . import events, inbound_cache, kept, stalls, statuses
from .actors import Actor, as_actor
from .answers import CONFIRM_STATUS, SEEKER_ANSWERS, WITHDRAW_CONSENT, LinkAnswer, LinkResult
from .channels import answer_channel_of
from .errors import (
    ConsentRequired,
    DuplicateOpenReferral,
    IllegalTransition,
    InvalidInput,
    InvalidReason,
    NotAllowed,
    NoteRequired,
    ProgramNotAccepting,
    ReasonRequired,
    ReferralError,
    StaleReferral,
)
from .models import (
    DELIVERY_EVENT_KINDS,
    DELIVERY_KINDS,
    Note,
    Referral,
    ReferralEvent,
    ReferralGroupObjectPermission,
    ReferralUserObjectPermission,
)
from .policies import may_refer, may_refer_on_behalf_of, referral_access
from .statuses import Party, Status

NOTE_MAX_LENGTH = 5000
COMMENT_MAX_LENGTH = 5000


def _display(actor: Actor, referral: Referral) -> tuple[str, str]:
    """(name, organization) of ``actor`` on ``referral``'s history and notes (see Actor.display)."""
    return actor.display(
        program_id=referral.program_id,
        on_behalf_of=referral.on_behalf_of_program if referral.on_behalf_of_program_id else None,
    )


def record_event(*, referral: Referral, kind: str, actor, **fields) -> ReferralEvent:
    """Append one line to the referral's history and publish it to the channels (referrals.events)."""
    actor = as_actor(actor)
    name, organization = _display(actor, referral)
    event = ReferralEvent.objects_across_tenants.create(
        organization_id=referral.organization_id,
        referral=referral,
        kind=kind,
        actor=actor.user,
        actor_display=name,
        actor_organization=organization,
        via=actor.via,
        **fields,
    )
    events.publish(events.HISTORY_EVENT, event)
    if kind not in DELIVERY_KINDS:  # Inbound Referrals shows no deliveries: its cached pages stay good
        inbound_cache.programs_changed([referral.program_id])
    return event


def _permissions(*codenames):
    found = {
        p.codename: p for p in Permission.objects.filter(content_type__app_label="referrals", codename__in=codenames)
    }
    return [found[codename] for codename in codenames]


def _grant(referral: Referral, *, users=(), groups=()):
    """users/groups: iterables of (principal, [codenames])."""
    codenames = {codename for _, names in [*users, *groups] for codename in names}
    permissions = dict(zip(codenames, _permissions(*codenames)))
    ReferralUserObjectPermission.objects.bulk_create(
        [
            ReferralUserObjectPermission(user=user, permission=permissions[c], content_object=referral)
            for user, names in users
            for c in names
        ],
        ignore_conflicts=True,
    )
    ReferralGroupObjectPermission.objects.bulk_create(
        [
            ReferralGroupObjectPermission(group=group, permission=permissions[c], content_object=referral)
            for group, names in groups
            for c in names
        ],
        ignore_conflicts=True,
    )


REFERRER_GRANT = ["view_referral", "act_as_referrer"]


def _referrer_side(referral: Referral) -> tuple[list, list]:
    """(users, groups) with their codenames who act for the referrer of ``referral``: the referrer, their
    sharing team or the sharing program it was made for, and the referring organization's admins."""
    groups = [(referral.organization.admin_group, ["view_referral", "act_as_referrer", "administer_referral"])]
    if referral.referred_by_team and referral.referred_by_team.shares_outbound:
        groups.append((referral.referred_by_team.group, REFERRER_GRANT))
    if referral.on_behalf_of_program and referral.on_behalf_of_program.shares_outbound:
        groups.append((referral.on_behalf_of_program.group, REFERRER_GRANT))
    return [(referral.referred_by, REFERRER_GRANT)], groups


def _grant_on_create(referral: Referral, *, also_for: Referral | None = None):
    """Grants are given when the referral is made (sharing switched on later is not retroactive). ``also_for``:
    the referral it was forwarded from, whose referrer side keeps its access to the new one. A self-referral has
    no referrer side: only the program's claimers and its organization's admins are granted it."""
    users, groups = ([], []) if referral.is_self_referral else _referrer_side(referral)
    groups += [
        (referral.program.group, ["view_referral", "act_as_claimer"]),
        (referral.program.organization.admin_group, ["view_referral", "act_as_claimer", "administer_referral"]),
    ]
    if also_for is not None and not also_for.is_self_referral:
        kept_users, kept_groups = _referrer_side(also_for)
        users, groups = users + kept_users, groups + kept_groups
    _grant(referral, users=users, groups=groups)


def _clean_text(value: str, *, field: str, max_length: int, required: bool = False) -> str:
    return clean_text(
        value,
        field=field,
        label=field,
        max_length=max_length,
        required=required,
        empty_message=f"The {field} cannot be empty.",
    )


def _open_referral(seeker, program):
    return (
        Referral.objects.unscoped("duplicate check")
        .filter(seeker=seeker, program=program, status__in=statuses.OPEN)
        .first()
    )


def _next_round_robin_claimer(program):
    claimers = list(ProgramClaimer.objects.filter(program=program).select_related("user").order_by("joined_at"))
    if not claimers:
        return None
    last = (
        Referral.objects.unscoped("round robin")
        .filter(program=program, assigned_to__isnull=False)
        .order_by("-sent_at", "-id")
        .values_list("assigned_to_id", flat=True)
        .first()
    )
    ids = [claimer.user_id for claimer in claimers]
    position = (ids.index(last) + 1) % len(ids) if last in ids else 0
    return claimers[position].user


def _insert_referral(
    *, actor, seeker, program, now, also_for=None, created_detail=None, consent_method, **fields
) -> Referral:
    """Inserts an open referral of ``seeker`` to ``program`` (``fields``: the rest of its columns), grants its
    access (``also_for``: see ``_grant_on_create``) and starts its history: "created" (with ``created_detail``),
    "consent given" and, for a round-robin program, the assignment. A second open referral of the same seeker
    to the same program is refused with the existing one, also under concurrent submissions (the database's
    partial unique index, caught in a savepoint). For ``referral_create`` and ``referral_forward``."""
    existing = _open_referral(seeker, program)
    if existing is None:
        try:
            with transaction.atomic():
                referral = Referral.objects_across_tenants.create(
                    program=program,
                    seeker=seeker,
                    consent_given_at=now,
                    consent_method=consent_method,
                    consent_recorded_by=fields["referred_by"],
                    assigned_to=_next_round_robin_claimer(program) if program.round_robin_assignment else None,
                    sent_at=now,
                    updated_at=now,
                    **fields,
                )
        except IntegrityError:
            existing = _open_referral(seeker, program)
            if existing is None:
                raise
    if existing is not None:
        raise DuplicateOpenReferral(
            f"{seeker.full_name} already has an open referral to {program.name}.", existing=existing
        )
    _grant_on_create(referral, also_for=also_for)
    record_event(
        referral=referral,
        kind=ReferralEvent.Kind.CREATED,
        actor=actor,
        to_status=Status.SENT,
        detail=created_detail or {},
    )
    record_event(
        referral=referral, kind=ReferralEvent.Kind.CONSENT_GIVEN, actor=actor, detail={"method": consent_method}
    )
    if referral.assigned_to_id:
        record_event(
            referral=referral,
            kind=ReferralEvent.Kind.ASSIGNMENT_CHANGED,
            actor=Actor.system(),
            detail={"to": referral.assigned_to.short_name, "round_robin": True},
        )
    kept.referral_counted(referral)
    return referral


@transaction.atomic
def referral_create(
    *,
    actor,
    seeker,
    program,
    comment: str = "",
    urgency: str = statuses.Urgency.ROUTINE,
    consent_method: str = "",
    team=None,
    on_behalf_of_program=None,
    goal=None,
    answers=None,
) -> Referral:
    """Refers ``seeker`` to ``program``.

    ``answers``: {question id: value} for the program's intake questions (programs.intake). They are checked
    (required, type, choices: InvalidInput with ``errors`` by ``answers.<question id>``) and stored with the
    referral as the questions were asked, in the same transaction.

    Guarantees: consent is recorded; a second open referral of the same seeker to the same program is
    refused with the existing one (also under concurrent submissions, by a database constraint); the
    referrer, their sharing team, the program's claimers and both organizations' admins are granted
    access; the history starts with a "created" event.
    """
    actor = as_actor(actor)
    user = actor.user
    if user is None:
        raise NotAllowed("Only a signed-in person can make a referral.")
    from accounts.selectors import teams_of

    if not may_refer(user, seeker):
        raise NotAllowed("You can only refer people your organization helps.")
    if not program.accepts_referrals:
        raise ProgramNotAccepting(f"{program.name} is not accepting referrals right now.")
    if consent_method not in Referral.ConsentMethod.values:
        raise ConsentRequired("Record the person's consent to share their details with the program.")
    if urgency not in statuses.Urgency.values:
        raise InvalidInput("Urgency must be routine or urgent.", field="urgency")
    comment = _clean_text(comment, field="comment", max_length=COMMENT_MAX_LENGTH)
    if goal is not None and goal.seeker_id != seeker.pk:
        raise InvalidInput("That goal belongs to someone else.", field="goal")
    if on_behalf_of_program is not None and not may_refer_on_behalf_of(user, on_behalf_of_program):
        raise NotAllowed("You can only refer on behalf of a program you claim.")
    intake_answers = _intake_answers(program, answers)
    if team is None and on_behalf_of_program is None:
        teams = teams_of(user, seeker.organization)
        team = teams[0] if teams else None

    now = timezone.now()
    referral = _insert_referral(
        actor=actor,
        seeker=seeker,
        program=program,
        now=now,
        organization_id=seeker.organization_id,
        referred_by=user,
        referred_by_team=team,
        on_behalf_of_program=on_behalf_of_program,
        comment=comment,
        urgency=urgency,
        consent_method=consent_method,
        goal=goal,
        intake_answers=intake_answers,
    )
    type(seeker).objects.unscoped("the seeker just referred").filter(pk=seeker.pk).update(last_activity_at=now)
    return referral


@transaction.atomic
def referral_self_refer(
    *, seeker, program, comment: str = "", consent_wording: str, intake_answers: list[dict] | None = None
) -> Referral:
    """The seeker asks ``program`` to contact them (the public directory's "Ask them to contact me", once they
    confirmed their address: seeker_door.services.self_referral_confirm).

    Guarantees: an inbound referral owned by the program's organization (which keeps ``seeker``), with no
    referrer (``referred_by`` empty: a self-referral), consent given electronically by the seeker in
    ``consent_wording`` (kept on the "created" event), granted to the program's claimers and its organization's
    admins only (no referrer side: it is nobody's sent referral); the history says "Seeker (self-referral)".
    ``intake_answers``: the program's intake questions as the seeker was asked them, each with its answer, as
    ``programs.intake.clean_answers`` gave them when the request was made (seeker_door keeps them on the pending
    request); stored as they are in ``Referral.intake_answers``, so that questions changed between the form and
    the confirmation do not rewrite them. Refuses a program not accepting referrals, a seeker of another
    organization, answers that are not such a list, and a second open referral of the seeker to the program
    (DuplicateOpenReferral)."""
    if seeker.organization_id != program.organization_id:
        raise NotAllowed("A self-referral's seeker belongs to the program's organization.")
    if not program.accepts_referrals or not program.organization.is_active:
        raise ProgramNotAccepting(f"{program.name} is not accepting referrals right now.")
    comment = _clean_text(comment, field="comment", max_length=COMMENT_MAX_LENGTH)
    intake_answers = list(intake_answers or [])
    if not all(isinstance(answer, dict) and "id" in answer and "answer" in answer for answer in intake_answers):
        raise InvalidInput("The answers must be the questions as asked, each with its answer.", field="answers")
    now = timezone.now()
    referral = _insert_referral(
        actor=Actor.for_seeker(seeker, via=ReferralEvent.Via.SELF_REFERRAL),
        seeker=seeker,
        program=program,
        now=now,
        created_detail={"self_referral": True, "consent": consent_wording},
        organization_id=program.organization_id,
        referred_by=None,
        comment=comment,
        intake_answers=intake_answers,
        consent_method=Referral.ConsentMethod.ELECTRONIC,
    )
    type(seeker).objects.unscoped("the seeker just asked for help").filter(pk=seeker.pk).update(last_activity_at=now)
    return referral


def _intake_answers(program, answers) -> list[dict]:
    """The program's intake questions as asked now, with the answers given (programs.intake.clean_answers), or
    InvalidInput naming each refused answer ``answers.<question id>``."""
    from programs.intake import clean_answers
    from programs.selectors import program_questions

    if answers is not None and not isinstance(answers, dict):
        raise InvalidInput(gettext("Give the answers by question id."), field="answers")
    questions = program_questions(program)
    if not questions and not answers:
        return []
    checked, errors = clean_answers(questions, answers or {})
    if errors:
        raise InvalidInput(errors={f"answers.{question_id}": message for question_id, message in errors.items()})
    return checked


def _lock(referral: Referral, expected_version: int | None) -> Referral:
    locked = (
        Referral.objects.unscoped("the referral being changed, locked")
        .select_for_update(of=("self",))
        .select_related("program", "seeker", "organization", "on_behalf_of_program")
        .get(pk=referral.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise StaleReferral(
            "This referral was changed by someone else since you opened it. Here is what it looks like now.",
            current=locked,
        )
    return locked


def _acting_party(parties: set, allowed: frozenset | set) -> Party | None:
    for party in (Party.SEEKER, Party.CLAIMER, Party.REFERRER, Party.ADMIN, Party.SYSTEM):
        if party in parties and party in allowed:
            return party
    return None


def _touch(referral: Referral, now) -> None:
    referral.version += 1
    referral.updated_at = now
    _seeker_active(referral.seeker_id, now)


def _seeker_active(seeker_id, now) -> None:
    """Keeps ``Seeker.last_activity_at`` (People I'm Helping's indexed sort key) at the latest change to any
    of the seeker's referrals: one UPDATE by primary key, skipped when it is already as recent."""
    from seekers.models import Seeker

    (
        Seeker.objects.unscoped("the seeker of the referral being changed")
        .filter(pk=seeker_id, last_activity_at__lt=now)
        .update(last_activity_at=now)
    )


@transaction.atomic
def referral_change_status(
    *,
    actor,
    referral: Referral,
    to_status: str,
    reason: str = "",
    note: str = "",
    expected_version: int | None = None,
    replaced_by: Referral | None = None,
    forwarded_to: Referral | None = None,
) -> Referral:
    """Moves ``referral`` to ``to_status`` if the status table lets ``actor`` do so.

    Guarantees: the row is locked and, when ``expected_version`` is given, a stale caller gets
    StaleReferral; a closing status needs its reason (and entered-in-error a note); the acting party's
    own outcome is kept beside the status; one history event is written; nothing is written on refusal.
    """
    actor = as_actor(actor)
    if to_status not in Status.values:
        raise IllegalTransition(f"“{to_status}” is not a referral status.")
    to_status = Status(to_status)
    note = _clean_text(note, field="note", max_length=NOTE_MAX_LENGTH)
    referral = _lock(referral, expected_version)
    counted = kept.watch_referral(referral)
    access = referral_access(actor, referral)
    access.require("act")
    parties = access.parties
    current = Status(referral.status)
    if current == to_status:
        raise IllegalTransition(f"The referral is already “{current.label}”.", already=True)
    rule = statuses.RULES.get(to_status)
    if rule is None or current not in rule.from_statuses:
        raise IllegalTransition(f"A referral that is “{current.label}” cannot be changed to “{to_status.label}”.")
    access.require("change_status", to_status=to_status)
    party = _acting_party(parties, rule.parties)
    if rule.reasons:
        if not reason:
            raise ReasonRequired(f"Choose a reason for “{to_status.label}”.")
        if reason not in rule.reasons:
            raise InvalidReason(f"“{reason}” is not a reason for “{to_status.label}”.")
        access.require("give_reason", to_status=to_status, reason=reason)
        party = _acting_party(parties, rule.reasons[reason] & parties)
    elif reason:
        raise InvalidReason(f"“{to_status.label}” takes no reason.")
    if rule.note_required and not note:
        raise NoteRequired(f"Say why the referral is “{to_status.label}”.")
    if replaced_by is not None and reason != statuses.Reason.REFERRED_ELSEWHERE:
        raise InvalidInput("Only a referral withdrawn as referred elsewhere links a new referral.")
    if (reason == statuses.Reason.FORWARDED) != (forwarded_to is not None):
        raise InvalidReason(
            "To send a referral on to another program, use Forward: it makes the new referral "
            "and closes this one as forwarded."
        )

    now = timezone.now()
    referral.status = to_status
    referral.status_reason = reason
    if party == Party.CLAIMER and referral.first_response_at is None:
        referral.first_response_at = now
    referral.closed_at = now if statuses.is_closed(to_status) else None
    slot = capacity.follow_status(referral, to_status)
    stalls.start_period(referral, now=now)
    if replaced_by is not None or forwarded_to is not None:
        referral.replaced_by = replaced_by or forwarded_to
    outcome_field = {Party.SEEKER: "seeker", Party.CLAIMER: "program", Party.REFERRER: "referrer"}.get(party)
    if outcome_field:
        setattr(referral, f"{outcome_field}_outcome", to_status)
        setattr(referral, f"{outcome_field}_outcome_at", now)
    # The seeker's answer (by them or staff on their side): its channel is kept with the history line below.
    referral.answer_channel = (
        answer_channel_of(to_status=to_status, reason=reason, party=party, via=actor.via) or referral.answer_channel
    )
    _touch(referral, now)
    referral.save()
    detail = {"party": str(party)}
    if slot:
        detail["slot"] = slot
    if forwarded_to is not None:
        detail.update(forwarded_to=str(forwarded_to.public_id), program=forwarded_to.program.name)
    if note:
        name, organization = _display(actor, referral)
        created = Note.objects_across_tenants.create(
            organization_id=referral.organization_id,
            referral=referral,
            author=actor.user,
            author_display=name,
            author_organization=organization,
            body=note,
        )
        detail["note"] = str(created.public_id)
    record_event(
        referral=referral,
        kind=ReferralEvent.Kind.STATUS_CHANGED,
        actor=actor,
        from_status=current,
        to_status=to_status,
        reason=reason,
        detail=detail,
    )
    counted.done()
    return referral


@transaction.atomic
def referral_forward(
    *,
    actor,
    referral: Referral,
    program,
    comment: str = "",
    consent_method: str = "",
    expected_version: int | None = None,
    answers=None,
) -> Referral:
    """A claimer forwards ``referral`` to another program ("we're full; the pantry on 47th can help").

    One transaction: a new referral of the same seeker to ``program``, made on behalf of the forwarding program
    by the claimer (its organization acts; the seeker's consent to share with the new program recorded), linked
    back to the original (``forwarded_from``); the original's referrer side (the referrer, their sharing team or
    program, their organization's admins) keeps its access to it; the original closes as declined, forwarded,
    linking the new one (``replaced_by``). The seeker hears of it once (the channels read the new referral's
    "created" event, and say nothing of the forwarded decline). Refused, with nothing written: a closed
    referral (409), the same program, a program not accepting referrals, no consent (400), someone not a
    claimer of the referral's program (403), a duplicate open referral to ``program`` (409), answers to
    ``program``'s intake questions that referral_create would refuse (400, by ``answers.<question id>``).
    """
    actor = as_actor(actor)
    user = actor.user
    if user is None:
        raise NotAllowed("Only a signed-in person can forward a referral.")
    comment = _clean_text(comment, field="comment", max_length=COMMENT_MAX_LENGTH)
    original = _lock(referral, expected_version)
    access = referral_access(actor, original)
    access.require("act")
    access.require("forward")
    if original.is_closed:
        raise IllegalTransition(
            f"A referral that is “{Status(original.status).label}” cannot be forwarded: it is closed."
        )
    if program.pk == original.program_id:
        raise InvalidInput(f"The referral is already with {program.name}: choose another program.", field="program")
    if not program.accepts_referrals:
        raise ProgramNotAccepting(f"{program.name} is not accepting referrals right now.")
    if consent_method not in Referral.ConsentMethod.values:
        raise ConsentRequired(f"Record the person's consent to share their details with {program.name}.")
    intake_answers = _intake_answers(program, answers)
    forwarded = _insert_referral(
        actor=actor,
        seeker=original.seeker,
        program=program,
        now=timezone.now(),
        also_for=original,
        created_detail={"forwarded_from": str(original.public_id), "from_program": original.program.name},
        organization_id=original.program.organization_id,
        referred_by=user,
        on_behalf_of_program=original.program,
        forwarded_from=original,
        comment=comment,
        urgency=original.urgency,
        consent_method=consent_method,
        goal=original.goal,  # the seeker's side keeps following its goal
        intake_answers=intake_answers,
    )
    referral_change_status(
        actor=actor,
        referral=original,
        to_status=Status.DECLINED,
        reason=statuses.Reason.FORWARDED,
        forwarded_to=forwarded,
    )
    return forwarded


@transaction.atomic
def referral_mark_viewed(*, actor, referral: Referral) -> Referral:
    """A claimer's first look at a ``sent`` referral makes it ``viewed`` (a system step, named after them)."""
    actor = as_actor(actor)
    referral = _lock(referral, None)
    if not referral_access(actor, referral).may("mark_viewed"):
        return referral
    # Sent and viewed are both open and unanswered: no kept count of the scorecard (referrals.kept) changes.
    now = timezone.now()
    referral.status = Status.VIEWED
    _touch(referral, now)
    referral.save()
    record_event(
        referral=referral,
        kind=ReferralEvent.Kind.STATUS_CHANGED,
        actor=actor,
        from_status=Status.SENT,
        to_status=Status.VIEWED,
        detail={"party": str(Party.SYSTEM)},
    )
    return referral


@transaction.atomic
def referral_reopen(*, actor, referral: Referral, note: str, expected_version: int | None = None) -> Referral:
    """An organization admin of either side reopens a closed referral, with a note, to its last open status."""
    actor = as_actor(actor)
    note = _clean_text(note, field="note", max_length=NOTE_MAX_LENGTH)
    referral = _lock(referral, expected_version)
    counted = kept.watch_referral(referral)
    access = referral_access(actor, referral)
    access.require("act")
    if not referral.is_closed:
        raise IllegalTransition("Only a closed referral can be reopened.")
    access.require("reopen")
    if not note:
        raise NoteRequired("Say why the referral is reopened.")
    closing = (
        referral.events.filter(kind=ReferralEvent.Kind.STATUS_CHANGED, to_status=referral.status)
        .order_by("-created_at", "-id")
        .first()
    )
    target = Status(closing.from_status) if closing and closing.from_status in statuses.OPEN else Status.VIEWED
    existing = _open_referral(referral.seeker, referral.program)
    if existing:
        raise DuplicateOpenReferral("This person already has another open referral to this program.", existing=existing)
    current = referral.status
    now = timezone.now()
    referral.status, referral.status_reason, referral.closed_at = target, "", None
    slot = capacity.follow_status(referral, target)
    stalls.start_period(referral, now=now)
    _touch(referral, now)
    referral.save()
    name, organization = _display(actor, referral)
    created = Note.objects_across_tenants.create(
        organization_id=referral.organization_id,
        referral=referral,
        author=actor.user,
        author_display=name,
        author_organization=organization,
        body=note,
    )
    record_event(
        referral=referral,
        kind=ReferralEvent.Kind.REOPENED,
        actor=actor,
        from_status=current,
        to_status=target,
        detail={"note": str(created.public_id), **({"slot": slot} if slot else {})},
    )
    counted.done()
    return referral


@transaction.atomic
def referral_confirm_status(*, actor, referral: Referral, expected_version: int | None = None) -> Referral:
    """The program says the referral's answered, open status still holds ("still waitlisted").

    Only its claimers, only for a status that can stall (statuses.STALLABLE). A new stall period starts from
    now, so the stall sweep stops chasing until it runs out again; the history says who confirmed what.
    """
    actor = as_actor(actor)
    referral = _lock(referral, expected_version)
    access = referral_access(actor, referral)
    access.require("act")
    if referral.status not in statuses.STALLABLE:
        raise IllegalTransition(f"A referral that is “{Status(referral.status).label}” has no status to confirm.")
    access.require("confirm_status")
    now = timezone.now()
    stalls.start_period(referral, now=now)
    _touch(referral, now)
    referral.save()
    record_event(
        referral=referral,
        kind=ReferralEvent.Kind.STATUS_CONFIRMED,
        actor=actor,
        to_status=referral.status,
        detail={"party": str(Party.CLAIMER)},
    )
    return referral


@transaction.atomic
def referral_record_stall(*, referral: Referral, number: int, now) -> ReferralEvent | None:
    """The stall sweep's step ``number`` on a stalled referral, at most once (referrals.stalls says which).

    The referral is locked and checked again (it may have changed or been confirmed since the sweep read it).
    The history event, written as the system at ``now``, is what the channels act on: the claimers' question,
    the referrer's news, the seeker's reminder. Returns None when the step is moot or was taken already.
    """
    referral = _lock(referral, None)
    if stalls.step_due(referral, now=now) != number or referral.stall_step >= number:
        return None
    first_step_of_stall = referral.stall_step == 0
    referral.stall_step = number
    referral.save(update_fields=["stall_step"])  # bookkeeping, not a change to the referral: no new version
    period = stalls.stall_period(referral.program, referral.status)
    return record_event(
        referral=referral,
        kind=ReferralEvent.Kind.STALLED,
        actor=Actor.system(),
        created_at=now,
        to_status=referral.status,
        detail={
            "step": number,
            "told": stalls.step_kind(number),
            "period_days": period.days,
            "stalled_since": referral.stall_due_at.isoformat(),
            "seeker_reminded": stalls.reminds_seeker(referral.status, first_step_of_stall=first_step_of_stall),
        },
    )


@transaction.atomic
def note_add(*, actor, referral: Referral, body: str) -> Note:
    """Anyone who may act on the referral adds a plain-text note. Notes are never edited."""
    actor = as_actor(actor)
    body = _clean_text(body, field="note", max_length=NOTE_MAX_LENGTH, required=True)
    referral_access(actor, referral).require("add_note")
    name, organization = _display(actor, referral)
    note = Note.objects_across_tenants.create(
        organization_id=referral.organization_id,
        referral=referral,
        author=actor.user,
        author_display=name,
        author_organization=organization,
        body=body,
    )
    _seeker_active(referral.seeker_id, note.created_at)
    record_event(
        referral=referral, kind=ReferralEvent.Kind.NOTE_ADDED, actor=actor, detail={"note": str(note.public_id)}
    )
    return note


@transaction.atomic
def note_delete(*, actor, note: Note) -> None:
    """The note's author or an organization admin deletes it; the history keeps an event, not the text."""
    actor = as_actor(actor)
    referral = note.referral
    referral_access(actor, referral).require("delete_note", note=note)
    public_id = str(note.public_id)
    note.delete()
    record_event(referral=referral, kind=ReferralEvent.Kind.NOTE_DELETED, actor=actor, detail={"note": public_id})


@transaction.atomic
def referral_set_goal(*, actor, referral: Referral, goal=None, expected_version: int | None = None) -> Referral:
    """Adds the referral to one of the seeker's goals, moves it to another, or removes it (goal=None)."""
    actor = as_actor(actor)
    referral = _lock(referral, expected_version)
    referral_access(actor, referral).require("set_goal")
    if goal is not None and goal.seeker_id != referral.seeker_id:
        raise InvalidInput("That goal belongs to someone else.", field="goal")
    previous = referral.goal
    if (previous.pk if previous else None) == (goal.pk if goal else None):
        return referral
    referral.goal = goal
    _touch(referral, timezone.now())
    referral.save()
    record_event(
        referral=referral,
        kind=ReferralEvent.Kind.GOAL_CHANGED,
        actor=actor,
        detail={"from": previous.title if previous else "", "to": goal.title if goal else ""},
    )
    return referral


@transaction.atomic
def referral_assign(*, actor, referral: Referral, assignee=None, expected_version: int | None = None) -> Referral:
    """A claimer assigns the referral to a claimer of the program (or clears the assignment)."""
    actor = as_actor(actor)
    referral = _lock(referral, expected_version)
    referral_access(actor, referral).require("assign")
    if (
        assignee is not None
        and not ProgramClaimer.objects.filter(program_id=referral.program_id, user=assignee).exists()
    ):
        raise InvalidInput("Referrals can only be assigned to the program's claimers.", field="assignee")
    previous = referral.assigned_to
    if (previous.pk if previous else None) == (assignee.pk if assignee else None):
        return referral
    referral.assigned_to = assignee
    _touch(referral, timezone.now())
    referral.save()
    record_event(
        referral=referral,
        kind=ReferralEvent.Kind.ASSIGNMENT_CHANGED,
        actor=actor,
        detail={"from": previous.short_name if previous else "", "to": assignee.short_name if assignee else ""},
    )
    return referral


@transaction.atomic
def referral_withdraw_consent(*, actor, referral: Referral) -> Referral:
    """The seeker or their helper withdraws consent: the program then sees the seeker's name only."""
    actor = as_actor(actor)
    referral = _lock(referral, None)
    referral_access(actor, referral).require("withdraw_consent")
    if referral.consent_withdrawn_at is not None:
        return referral
    now = timezone.now()
    referral.consent_withdrawn_at = now
    _touch(referral, now)
    referral.save()
    record_event(referral=referral, kind=ReferralEvent.Kind.CONSENT_WITHDRAWN, actor=actor)
    return referral


@transaction.atomic
def referral_answer_by_link(
    *, referral: Referral, recipient, choice: str, reason: str = "", ip_address: str = "", user_agent: str = ""
):
    """Records the choice made through a signed link (a POST), and that the link was used.

    ``recipient`` is the one the link names (``answers.LinkRecipient``: the seeker or a user). The use is
    recorded (IP address and user agent) whatever the outcome; the change goes through referral_change_status
    (or referral_withdraw_consent) with the link as its channel, so the status table decides. Choosing what
    is already recorded changes nothing and says so. Returns an ``answers.LinkResult``; a refusal is a
    result with its message, not an exception, and writes nothing but the link's use.
    """
    if recipient.seeker is not None:
        actor = Actor.for_seeker(recipient.seeker, via=ReferralEvent.Via.EMAIL_LINK)
        to_status, reason = SEEKER_ANSWERS.get(choice, ("", ""))
    else:
        actor = Actor.for_user(recipient.user, via=ReferralEvent.Via.EMAIL_LINK)
        to_status = choice
    if choice == CONFIRM_STATUS and recipient.user is not None:
        return _confirm_by_link(referral=referral, actor=actor, ip_address=ip_address, user_agent=user_agent)
    record_event(
        referral=referral,
        kind=ReferralEvent.Kind.EMAIL_LINK_USED,
        actor=actor,
        detail={"choice": choice[:40], "ip_address": ip_address[:64], "user_agent": user_agent[:300]},
    )
    current = Referral.objects.unscoped("the referral the link names, as it is now").get(pk=referral.pk)
    if recipient.seeker is not None and choice == WITHDRAW_CONSENT:
        if current.consent_withdrawn_at is not None:
            return LinkResult(LinkAnswer.ALREADY, referral=current)
        return LinkResult(LinkAnswer.RECORDED, referral=referral_withdraw_consent(actor=actor, referral=current))
    if to_status and current.status == to_status and (current.status_reason or "") == (reason or ""):
        return LinkResult(LinkAnswer.ALREADY, referral=current)
    if not to_status:
        return LinkResult(LinkAnswer.REFUSED, gettext("That is not one of the choices."), referral=current)
    try:
        with transaction.atomic():
            changed = referral_change_status(actor=actor, referral=current, to_status=to_status, reason=reason)
    except IllegalTransition as error:
        if error.context.get("already"):
            return LinkResult(LinkAnswer.ALREADY, referral=current)
        return LinkResult(LinkAnswer.REFUSED, error.message, referral=current)
    except ReferralError as error:
        return LinkResult(LinkAnswer.REFUSED, error.message, referral=current)
    return LinkResult(LinkAnswer.RECORDED, referral=changed)


def _confirm_by_link(*, referral, actor, ip_address: str, user_agent: str) -> LinkResult:
    record_event(
        referral=referral,
        kind=ReferralEvent.Kind.EMAIL_LINK_USED,
        actor=actor,
        detail={"choice": CONFIRM_STATUS, "ip_address": ip_address[:64], "user_agent": user_agent[:300]},
    )
    current = Referral.objects.unscoped("the referral the link names, as it is now").get(pk=referral.pk)
    try:
        with transaction.atomic():
            return LinkResult(LinkAnswer.RECORDED, referral=referral_confirm_status(actor=actor, referral=current))
    except ReferralError as error:
        return LinkResult(LinkAnswer.REFUSED, error.message, referral=current)


def referral_record_delivery(*, channel: str, referral: Referral, detail: dict) -> ReferralEvent | None:
    """Appends "email sent" (for ``channel`` "email") to the referral's history, as the system.

    Called in the transaction that marks the outbox row sent (the delivery core's ``delivered`` signal), so
    the line is written exactly when the row is marked. A channel whose deliveries the history does not
    show (webhooks) records nothing.
    """
    kind = DELIVERY_EVENT_KINDS.get(channel)
    if kind is None:
        return None
    return record_event(referral=referral, kind=kind, actor=Actor.system(), detail=detail)
