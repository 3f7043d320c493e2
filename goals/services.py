"""A seeker's goals: added, renamed and closed by the people who help them."""

from django.db import transaction
from django.utils import timezone

from core.text import clean_text

from . import policies
from .models import Goal

TITLE_MAX_LENGTH = 200


def _clean_title(title: str) -> str:
    return clean_text(
        title,
        field="title",
        label="goal's name",
        max_length=TITLE_MAX_LENGTH,
        required=True,
        empty_message="Give the goal a name.",
    )


def _check_helps(actor, seeker) -> None:
    policies.check(actor, "manage_goals", seeker)


@transaction.atomic
def goal_create(*, actor, seeker, title: str) -> Goal:
    _check_helps(actor, seeker)
    return Goal.objects_across_tenants.create(
        organization_id=seeker.organization_id, seeker=seeker, title=_clean_title(title), created_by=actor
    )


@transaction.atomic
def goal_rename(*, actor, goal: Goal, title: str) -> Goal:
    _check_helps(actor, goal.seeker)
    goal.title = _clean_title(title)
    goal.save(update_fields=["title"])
    return goal


@transaction.atomic
def goal_close(*, actor, goal: Goal) -> Goal:
    """Closes the goal. Its referrals keep it; it is no longer offered for new ones."""
    _check_helps(actor, goal.seeker)
    if goal.status != Goal.Status.CLOSED:
        goal.status = Goal.Status.CLOSED
        goal.closed_at = timezone.now()
        goal.save(update_fields=["status", "closed_at"])
    return goal


@transaction.atomic
def goal_reopen(*, actor, goal: Goal) -> Goal:
    _check_helps(actor, goal.seeker)
    if goal.status != Goal.Status.OPEN:
        goal.status = Goal.Status.OPEN
        goal.closed_at = None
        goal.save(update_fields=["status", "closed_at"])
    return goal
