"""The delivery core's Celery tasks (core.outbox): one delivery task and one sweep, for every channel.

``deliver_outbox_row`` is queued when the transaction that wrote a row commits. When the broker cannot be
reached at that moment the change has already committed and its row is pending: publishing errors are
logged rather than raised (a web request must not fail after its change was saved), and the sweep queues the
row again once the broker is back.
"""

import logging
from datetime import datetime

from celery import shared_task
from celery.contrib.django.task import DjangoTask
from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from kombu.exceptions import OperationalError

from . import outbox

logger = logging.getLogger(__name__)


class OutboxTask(DjangoTask):
    def apply_async(self, *args, **kwargs):
        try:
            return super().apply_async(*args, **kwargs)
        except (OperationalError, ConnectionError, OSError) as error:
            logger.warning("Could not queue %s (%s); the outbox sweep will queue it again.", self.name, error)
            return None


def sweep_clock(now: str | None) -> datetime | None:
    """The clock a periodic task was given (an ISO 8601 time, as ``manage.py run_sweeps --now`` passes it;
    a time without a zone is in the site's), or None for the current time. Celery arguments travel as JSON,
    hence a string."""
    if not now:
        return None
    moment = parse_datetime(now)
    if moment is None:
        raise ValueError(f"{now!r} is not an ISO 8601 time.")
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def longest_countdown() -> float:
    """A retry later than this is left to the sweep: Redis hands a message nobody acknowledged within its
    ``visibility_timeout`` to another worker, so a longer countdown would run twice."""
    return float(settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)) * 0.9


@shared_task(
    bind=True, base=OutboxTask, acks_late=True, reject_on_worker_lost=True, max_retries=None, ignore_result=True
)
def deliver_outbox_row(self, channel: str, row_id: int) -> str:
    delivery = outbox.deliver(channel, row_id)
    if (
        delivery.outcome in (outbox.Outcome.RETRY, outbox.Outcome.DEFERRED)
        and not self.request.is_eager
        and delivery.retry_in is not None
        and delivery.retry_in < longest_countdown()
    ):
        # The row is pending again with its next_attempt_at; if this retry is lost, the sweep finds it. In
        # in-process (eager) mode a retry would run at once, again and again: there the sweep retries instead.
        raise self.retry(countdown=delivery.retry_in)
    return delivery.outcome


@shared_task(base=OutboxTask, acks_late=True, ignore_result=True)
def sweep_outboxes(now: str | None = None) -> dict:
    """The beat's outbox sweep (every minute): every registered channel's lost rows are queued again.
    Returns how many rows of each channel were queued ("email queued": 3)."""
    moment = sweep_clock(now)
    return {f"{channel.name} queued": outbox.sweep(channel, now=moment) for channel in outbox.channels()}


@shared_task(base=OutboxTask, acks_late=True, ignore_result=True)
def clear_outbox_content(now: str | None = None) -> dict:
    """The beat's retention (daily): done rows past their channel's retention lose their content
    (``NOTIFICATION_BODY_RETENTION_DAYS`` for email; core.outbox.clear_old_content).
    Returns how many rows of each channel were cleared ("email cleared": 3)."""
    cleared = outbox.clear_old_content(now=sweep_clock(now))
    return {f"{name} cleared": count for name, count in cleared.items()}
