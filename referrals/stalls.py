"""Stalled referrals: answered once, then left alone.

Each open status after the program's first answer (``statuses.STALLABLE``) has a stall period: the program's
own (``Program.stall_days_<status>``) or the network's default (``settings.STALL_DAYS``). A status change or
a claimer's confirmation ("still waitlisted") starts a new period: ``Referral.stall_due_at`` is then set to
when the referral will count as stalled, and ``stall_step`` back to 0.

The stall sweep (``referrals.sweeps.stall_sweep``) chases a stalled referral once per period, as a history
event (``ReferralEvent.Kind.STALLED``) the channels hear of:

- at 1x (and every odd multiple after) the program's claimers are asked to confirm or update it, with
  one-click answers ("still waitlisted", "started", "closed"); for ``needs_client_action`` the seeker is
  reminded first (once per stall, with its first step), on their channel, of what the program needs;
- at 2x (and every even multiple) the referrer is told, with the nearest programs of the same category that
  have open slots.

So a referral nobody touches has a history line in every stall period, and nobody gets a burst: a late sweep
takes only the step now due.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q

from . import statuses
from .statuses import Status

CLAIMERS = "claimers"
REFERRER = "referrer"


def stall_period(program, status: str) -> timedelta | None:
    """How long ``status`` may stay unconfirmed at ``program`` before it counts as stalled (None: never)."""
    if status not in statuses.STALLABLE:
        return None
    days = getattr(program, f"stall_days_{status}", None) or settings.STALL_DAYS[str(status)]
    return timedelta(days=days)


def stall_due(program, status: str, *, start: datetime) -> datetime | None:
    """When a period of ``status`` started at ``start`` becomes stalled."""
    period = stall_period(program, status)
    return start + period if period is not None else None


def start_period(referral, *, now: datetime) -> None:
    """A status change or a confirmation: a new stall period from ``now`` (the caller saves)."""
    referral.stall_due_at = stall_due(referral.program, referral.status, start=now)
    referral.stall_step = 0


def stalled_since(referral, *, now: datetime) -> datetime | None:
    """Since when ``referral`` has been stalled, or None when it is not."""
    due = referral.stall_due_at
    if due is None or referral.status not in statuses.STALLABLE or due > now:
        return None
    return due


def stalled_q(now: datetime) -> Q:
    """The referrals stalled at ``now``, as a filter (the partial index on stall_due_at serves it)."""
    return Q(stall_due_at__lte=now, status__in=statuses.STALLABLE)


def stalled_days(referral, *, now: datetime) -> int | None:
    """How many whole days ``referral`` has been stalled (0 on its first day), or None when it is not."""
    since = stalled_since(referral, now=now)
    return None if since is None else (now - since).days


def step_due(referral, *, now: datetime) -> int:
    """The stall period ``referral`` is in at ``now`` (1 from the moment it is stalled), 0 when not stalled."""
    since = stalled_since(referral, now=now)
    if since is None:
        return 0
    return 1 + int((now - since) / stall_period(referral.program, referral.status))


def step_kind(number: int) -> str:
    return CLAIMERS if number % 2 else REFERRER


def reminds_seeker(status: str, *, first_step_of_stall: bool) -> bool:
    """``needs_client_action`` waits for the seeker: they are reminded first, with the first step the sweep
    takes in a stall (the 1x step, or a later one when the sweep did not run for a while)."""
    return status == Status.NEEDS_CLIENT_ACTION and first_step_of_stall
