"""Celery tasks of the referral lifecycle: they call a service and are safe to run twice."""

from celery import shared_task

from . import sweeps


@shared_task(acks_late=True, ignore_result=True)
def sweep_escalations() -> dict:
    """The beat's escalation and follow-up sweep (every five minutes)."""
    return sweeps.escalation_sweep()
