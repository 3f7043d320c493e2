"""Organization reports counted ahead: the figures an admin will open are counted by the worker, not by the view.

An organization report's figures are kept while they hold (``selectors.KeptFigures``), but whoever opened the
report first after a change to the period's referrals, after a deadline among them, or once
``ORGANIZATION_REPORT_KEPT_SECONDS`` had passed, waited while they were counted (at a million referrals, ~2.5×
what reading them kept costs). For the organizations whose admins opened their report in the last
``ORGANIZATION_REPORT_AHEAD_DAYS`` days ("watched"), the worker counts the page's default period (the last 90 days)
ahead of them instead:

- after a change to one of their referrals (a subscriber of ``referrals.events``, on commit): counted
  ``AHEAD_DELAY`` seconds later, once for a burst of changes;
- and every minute (``keep_organization_reports``, in the beat): where the kept figures no longer hold (a deadline
  passed) or would be dropped within the next two rounds (so that a late round still finds them).

Nothing here changes what a report shows: the view still reads the figures through ``KeptFigures``, which counts
them itself when they do not hold. A cache or broker that cannot be reached only means the view counts, as before.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from accounts.models import Membership, Organization
from referrals.models import DELIVERY_KINDS

from .selectors import PAGE_ROW_LIMIT, KeptFigures, OrganizationFigures, Period

logger = logging.getLogger(__name__)

WATCHED = "report:watched:{}"  # an organization whose admins opened its report lately
PENDING = "report:ahead:{}"  # a count ahead is queued for this organization
AHEAD_DELAY = 2  # seconds after a change: the changes of a burst are counted once
ROUND_SECONDS = 60  # the beat's round (referrals_site/celery.py)


def enabled() -> bool:
    return bool(settings.ORGANIZATION_REPORT_KEPT_SECONDS and settings.ORGANIZATION_REPORT_AHEAD_DAYS)


# Organization -> when this process last noted it watched (time.monotonic): noted again ten minutes later at most,
# so that a view of the report does not write to the cache each time (and a cache emptied meanwhile learns it again).
_noted: dict[int, float] = {}
NOTED_AGAIN_AFTER = 600


def watch(organization, period: Period) -> None:
    """The report of ``organization`` was opened for ``period``: the default period's figures are counted ahead
    of its admins for the next ``ORGANIZATION_REPORT_AHEAD_DAYS`` days (another period is counted when asked)."""
    if not enabled() or period != Period.default():
        return
    now = time.monotonic()
    if organization.pk in _noted and now - _noted[organization.pk] < NOTED_AGAIN_AFTER:
        return
    try:
        cache.set(WATCHED.format(organization.pk), True, timeout=settings.ORGANIZATION_REPORT_AHEAD_DAYS * 86400)
    except Exception as error:  # the cache is down: nothing is kept or counted ahead while it is
        logger.warning("organization reports: could not note a watched report: %s", error)
        return
    _noted[organization.pk] = now


def watched(organization_ids) -> list[int]:
    """Those of ``organization_ids`` whose reports are watched (none when the cache cannot be reached)."""
    organization_ids = sorted({pk for pk in organization_ids if pk is not None})
    if not organization_ids or not enabled():
        return []
    try:
        found = cache.get_many([WATCHED.format(pk) for pk in organization_ids])
    except Exception as error:
        logger.warning("organization reports: could not read the watched reports: %s", error)
        return []
    return [pk for pk in organization_ids if WATCHED.format(pk) in found]


def referral_changed(event) -> None:
    """A subscriber of ``referrals.events`` (on commit): the watched organizations of the changed referral (its
    referring site and its program's organization) get their figures counted ahead, once per burst of changes."""
    if not enabled() or event.kind in DELIVERY_KINDS:
        return  # a delivery (an email or a text sent) changes nothing a report counts
    referral = event.referral
    for organization_id in watched([referral.organization_id, referral.program.organization_id]):
        key = PENDING.format(organization_id)
        try:
            if not cache.add(key, True, timeout=AHEAD_DELAY + 60):
                continue  # queued already, and not started: it will read this change
            from .tasks import count_organization_report_ahead

            count_organization_report_ahead.apply_async((organization_id,), countdown=AHEAD_DELAY)
        except Exception as error:  # the broker or the cache is down: the view counts, as it would have
            logger.warning("organization reports: could not count a report ahead: %s", error)
            try:
                cache.delete(key)
            except Exception:
                pass


def count_queued(organization_id: int) -> str:
    """The count ``referral_changed`` queued: a change from now on queues another (its key is deleted first), then
    the figures are counted unless the kept ones still hold."""
    try:
        cache.delete(PENDING.format(organization_id))
    except Exception:  # the cache is down: the figures cannot be kept either
        return "the cache cannot be reached: nothing counted ahead"
    counted = count_ahead(organization_id)
    return f"organization {organization_id}: {'counted' if counted else 'its kept figures hold'}"


def count_ahead(organization_id: int, *, now: datetime | None = None, renew_within: float = 0) -> bool:
    """Counts the default period's figures of the organization's report page, unless the kept ones hold (and
    will for ``renew_within`` seconds more). True when they were counted."""
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None or not enabled():
        return False
    now = now or timezone.now()
    figures = OrganizationFigures(
        organization=organization,
        period=Period.default(today=timezone.localdate(now)),
        now=now,
        row_limit=PAGE_ROW_LIMIT,
    )
    _, counted_at = KeptFigures(figures).rows(renew_within=renew_within)
    return counted_at == now


def watched_organizations() -> list[int]:
    """The organizations with an admin whose reports are watched."""
    admins = (
        Membership.objects.filter(role=Membership.Role.ADMIN)
        .values_list("organization_id", flat=True)
        .distinct()
        .order_by()
    )
    return watched(admins)


def keep_watched(*, now: datetime | None = None) -> tuple[int, int]:
    """One round of the beat: each watched organization's figures counted where they no longer hold or would be
    dropped within the next two rounds. Returns (watched, counted)."""
    organizations = watched_organizations()
    counted = sum(count_ahead(pk, now=now, renew_within=2 * ROUND_SECONDS) for pk in organizations)
    return len(organizations), counted
