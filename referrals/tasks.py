"""Celery tasks of the referral lifecycle: they call a service and are safe to run twice.

Each periodic task takes an optional ``now`` (ISO 8601) so that ``manage.py run_sweeps --now`` can run it
with a chosen clock, and returns what it did, labelled for people (the command prints it).
"""

from celery import shared_task

from core.tasks import sweep_clock

from . import sweeps

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
