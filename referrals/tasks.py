"""Celery tasks of the referral lifecycle: they call a service and are safe to run twice.

Each periodic task takes an optional ``now`` (ISO 8601) so that ``manage.py run_sweeps --now`` can run it
with a chosen clock, and returns what it did, labelled for people (the command prints it).
"""

import logging

from celery import shared_task

from core.tasks import sweep_clock

from . import kept, sweeps

logger = logging.getLogger(__name__)

ESCALATION_LABELS = {
    sweeps.Step.CLAIMER_REMINDER: "claimer reminders",
    sweeps.Step.ADMIN_ESCALATION: "admin escalations",
    sweeps.Step.REFERRER_ESCALATION: "referrer escalations",
    sweeps.Step.EXPIRED: "expired",
    sweeps.Step.FOLLOW_UP: "follow-up questions",
}


@shared_task(acks_late=True, ignore_result=True)
def sweep_escalations(now: str | None = None) -> dict:
    """The beat's escalation and follow-up sweep (every five minutes)."""
    taken = sweeps.escalation_sweep(now=sweep_clock(now))
    return {ESCALATION_LABELS[step]: count for step, count in taken.items()}


@shared_task(acks_late=True, ignore_result=True)
def sweep_stalls(now: str | None = None) -> dict:
    """The beat's stalled-referral sweep (every 15 minutes)."""
    return sweeps.stall_sweep(now=sweep_clock(now))


@shared_task(acks_late=True, ignore_result=True)
def check_scorecard_counts(now: str | None = None) -> dict:
    """The beat's daily check of the network scorecard's kept counts (referrals.kept): recounts them from the
    referrals, repairs every row that differed and reports it (an error in the log, with examples). Counts kept
    by the services never differ; a difference means a write went past them (a bulk load, a hand edit, a
    missed path), which the log then names. ``now`` is accepted like every sweep's, and changes nothing."""
    sweep_clock(now)
    drift = kept.recount()
    kept.tidy()
    if drift.total:
        logger.error(
            "network scorecard: kept counts differed from a recount and were repaired: %s; for example %s",
            drift.summary(),
            drift.examples,
        )
    else:
        logger.info("network scorecard: %s", drift.summary())
    return {"referrals recounted": drift.referrals, "kept counts repaired": drift.total}
