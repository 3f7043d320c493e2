"""Silence escalates: the automatic steps on referrals nobody answers, expiry, and the follow-up question.

Nobody answering is the field's most common failure. For each open referral no claimer has answered: past
the program's expected response time the claimers are reminded, at twice that the program's organization
admins are told, at three times the referrer; after REFERRAL_EXPIRY_DAYS it is closed as withdrawn
(expired_no_response) by the system. FOLLOW_UP_AFTER_ACCEPTED_DAYS after acceptance the seeker is asked
whether they got help.

Each step is an ``EscalationStep`` row (unique per referral and step), so it happens at most once, and is
published to the channels (``referrals.events``, topic ESCALATION_STEP) in the same transaction: they decide
who hears of it and write their outbox rows. Expiry is a status change like any other, through
``services.referral_change_status`` with the system as actor, so its history event tells the parties (the
referrer's email carries the re-referral offer).

The beat runs ``escalation_sweep`` every five minutes (``referrals.tasks.sweep_escalations``). It is safe to
run at any time, twice or late: a step already taken is never taken again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from . import events, stalls, statuses
from .actors import Actor
from .models import EscalationStep, Referral, ReferralEvent
from .services import referral_change_status, referral_record_stall
from .statuses import Status

Step = EscalationStep.Step

ESCALATION_ORDER = [Step.CLAIMER_REMINDER, Step.ADMIN_ESCALATION, Step.REFERRER_ESCALATION, Step.EXPIRED]


def referrals_awaiting_answer():
    """Open referrals no claimer has answered yet (sent or merely viewed)."""
    return (
        Referral.objects.unscoped("the escalation sweep looks at every tenant's unanswered referrals")
        .filter(status__in=[Status.SENT, Status.VIEWED], first_response_at__isnull=True)
        .select_related("program", "program__organization", "seeker", "organization", "referred_by")
        .prefetch_related("escalation_steps")
        .order_by("sent_at")
    )


def referrals_due_follow_up(*, now: datetime):
    """Accepted (or in service) referrals accepted long enough ago, whose seeker was not asked yet."""
    cutoff = now - timedelta(days=settings.FOLLOW_UP_AFTER_ACCEPTED_DAYS)
    accepted_at = (
        ReferralEvent.objects.unscoped("when each referral the follow-up sweep reads was accepted")
        .filter(referral=OuterRef("pk"), kind=ReferralEvent.Kind.STATUS_CHANGED, to_status=Status.ACCEPTED)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    return (
        Referral.objects.unscoped("the follow-up sweep looks at every tenant's accepted referrals")
        .filter(status__in=[Status.ACCEPTED, Status.IN_SERVICE])
        .annotate(accepted_at=Subquery(accepted_at))
        .filter(accepted_at__lte=cutoff)
        .exclude(escalation_steps__step=Step.FOLLOW_UP)
        .select_related("program", "seeker", "organization")
        .order_by("accepted_at")
    )


def _due_steps(referral: Referral, now: datetime) -> list[str]:
    waited = now - referral.sent_at
    hours = timedelta(hours=referral.program.expected_response_hours)
    due = []
    if waited >= hours:
        due.append(Step.CLAIMER_REMINDER)
    if waited >= 2 * hours:
        due.append(Step.ADMIN_ESCALATION)
    if waited >= 3 * hours:
        due.append(Step.REFERRER_ESCALATION)
    if waited >= timedelta(days=settings.REFERRAL_EXPIRY_DAYS):
        due.append(Step.EXPIRED)
    return due


def escalation_sweep(*, now: datetime | None = None) -> dict:
    """Chase unanswered referrals and ask accepted seekers whether they got help. Safe to run any time.

    Returns how many of each step were taken. When the sweep finds several steps due at once (it did not
    run for a while) only the latest is taken and the earlier ones are recorded as skipped, so nobody gets a
    burst of stale reminders.
    """
    now = now or timezone.now()
    taken = {step: 0 for step in Step.values}
    for referral in referrals_awaiting_answer().iterator(chunk_size=200):
        done = {step.step for step in referral.escalation_steps.all()}
        due = [step for step in _due_steps(referral, now) if step not in done]
        if not due:
            continue
        if escalation_take_step(referral=referral, step=due[-1], skip=due[:-1], now=now):
            taken[due[-1]] += 1
    for referral in referrals_due_follow_up(now=now).iterator(chunk_size=200):
        if escalation_take_step(referral=referral, step=Step.FOLLOW_UP, now=now):
            taken[Step.FOLLOW_UP] += 1
    return taken


def escalation_take_step(*, referral: Referral, step: str, now: datetime, skip=()) -> bool:
    """Take one step on one referral, at most once. Returns False when it was taken already or is moot.

    The referral is locked and its state checked again (an answer may have arrived since the sweep read
    it); the step's row, the skipped steps' rows and whatever the channels write for it commit together.
    """
    with transaction.atomic():
        referral = (
            Referral.objects.unscoped("the referral a step is taken on, locked")
            .select_for_update(of=("self",))
            .select_related("program", "program__organization", "seeker", "organization", "referred_by")
            .get(pk=referral.pk)
        )
        if step == Step.FOLLOW_UP:
            if referral.status not in (Status.ACCEPTED, Status.IN_SERVICE):
                return False
        elif referral.status not in (Status.SENT, Status.VIEWED) or referral.first_response_at is not None:
            return False
        try:
            with transaction.atomic():
                taken = EscalationStep.objects.create(referral=referral, step=step, taken_at=now)
        except IntegrityError:
            return False
        for skipped in skip:
            EscalationStep.objects.get_or_create(
                referral=referral, step=skipped, defaults={"taken_at": now, "skipped": True}
            )
        events.publish(events.ESCALATION_STEP, taken)
        if step == Step.EXPIRED:
            referral_change_status(
                actor=Actor.system(),
                referral=referral,
                to_status=Status.WITHDRAWN,
                reason=statuses.Reason.EXPIRED_NO_RESPONSE,
            )
    return True


# ---------------------------------------------------------------------------------------------------------
# Stalled referrals (referrals.stalls says when and who is told)


def referrals_stalled(*, now: datetime):
    """Open referrals whose status has gone unconfirmed past its stall period."""
    return (
        Referral.objects.unscoped("the stall sweep looks at every tenant's stalled referrals")
        .filter(stall_due_at__lte=now, status__in=statuses.STALLABLE)
        .select_related("program")
        .order_by("stall_due_at")
    )


def stall_sweep(*, now: datetime | None = None) -> dict:
    """Chase stalled referrals: one step per referral and stall period, the one now due. Safe to run any time.

    Returns how many of each were taken: claimers asked, referrers told, seekers reminded.
    """
    now = now or timezone.now()
    taken = {"claimer checks": 0, "referrer alerts": 0, "seeker reminders": 0}
    for referral in referrals_stalled(now=now).iterator(chunk_size=200):
        number = stalls.step_due(referral, now=now)
        if number <= referral.stall_step:
            continue
        event = referral_record_stall(referral=referral, number=number, now=now)
        if event is None:
            continue
        taken["claimer checks" if event.detail["told"] == stalls.CLAIMERS else "referrer alerts"] += 1
        taken["seeker reminders"] += bool(event.detail["seeker_reminded"])
    return taken
