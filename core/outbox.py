"""The delivery core every outbox channel shares: email (notifications), webhooks, and the next ones.

An outbox row is written in the same transaction as the change that calls for it, with everything needed to
send it, so a message is never lost once the change is saved and never sent for a change that rolled back.
This module delivers such rows, whatever the channel:

- ``queue_on_commit(channel, ids)``: the writer's last step; a Celery task per row is published when the
  transaction commits (``core.tasks.deliver_outbox_row``). If the broker is down then, the change stands, the
  failure is logged, and the sweep queues the row later.
- ``deliver(channel, id)``: the task's body. It **claims** the row (one ``UPDATE`` of a row found by
  ``SELECT ... FOR UPDATE SKIP LOCKED``: status ``sending`` with a **lease**), calls the channel's ``send(row)`` outside any transaction,
  and records the outcome in one ``UPDATE`` guarded by the attempt number (a presumed-dead attempt that comes
  back late cannot overwrite a newer one): done; pending again after a **backoff with jitter**; deferred
  (the channel said "not now, at T": quiet hours); or failed (a permanent error, or the attempts ran out).
  Only a due ``pending`` row or a ``sending`` row whose lease expired can be claimed, so a task that runs twice
  (a duplicate in the queue, a sweep and a retry racing, two workers) sends once.
- ``sweep(channel)`` (beat, every minute, ``core.tasks.sweep_outboxes``): queues again the rows the queue
  lost: ``pending`` rows a grace period past their due time (never queued: the broker was down at commit; or
  queued and lost by Redis), and ``sending`` rows whose lease expired (the worker died mid-send), which go
  back to ``pending`` first.
- ``retry_now(channel, ids)``: the admin's "retry": failed (or waiting) rows become due now, attempts reset.

**The at-least-once boundary, honestly.** Every row is delivered at least once. In every failure we can
observe (broker down, worker killed before or during the hand-over to the provider, transient provider
errors, a task queued twice) it is delivered exactly once, except in one window: a worker killed *after* the
provider accepted the message and *before* the one ``UPDATE`` that records it commits (milliseconds). The
row then stays ``sending``; when its lease expires the sweep sends it again. Channels make that copy
harmless where the receiving side allows: email carries the same ``Message-ID``, webhooks the same event id
and body. A lease must therefore outlast the longest send (provider timeouts stay well below it), or a slow
send would be taken for a dead one.

Retries are Celery countdowns while they are shorter than the Redis ``visibility_timeout`` (Redis hands an
unacknowledged message to another worker after it, so a longer countdown would run twice); a longer backoff is
left to the sweep, which queues the row when it is due. In-process (eager) mode never retries at once: the
sweep does.

**Adding a channel** (text messages next) takes three things:

1. a model with the ``OutboxRow`` columns (its own table and payload; ``DONE_STATUS``/``DONE_AT_FIELD`` name
   its "done" status and time when they are not ``sent``/``sent_at``);
2. a ``send(row)`` function: it hands one row to the provider, returns a dict of extra columns to record
   (or None), and raises on failure: ``DeliveryFailed(message, transient=..., fields=...)`` for failures it
   has classified, ``Defer(until)`` to wait without spending an attempt, or any exception, which the channel's
   ``is_transient(error)`` classifies (transient: retried with backoff; permanent: failed at once);
3. ``register(Channel(name=..., model=..., send=..., ...))`` in its ``AppConfig.ready``, with its settings
   (attempts, backoff, lease, grace) as callables read at call time, and a ``report(row)`` if a delivered row
   should leave a record (``delivered`` is sent with it in the transaction that marks the row done: the
   referral history's "email sent").

Then ``queue_on_commit(name, ids)`` after writing rows, ``OutboxAdminMixin`` (core.admin) for its admin,
and the one beat sweep covers it. A channel whose rows hold personal data declares it
(``content_fields``, ``recipient_fields``, ``about_person``, ``addressed_to``, ``content_retention_days``):
erasure and retention then reach its rows too (the last section of this module). The tests of this module
run every behaviour against every registered channel (tests/core/test_outbox.py).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connections, transaction
from django.db.models import F, Q
from django.dispatch import Signal
from django.utils import timezone

from .models import OutboxRow

__all__ = [
    "OutboxRow",
    "Channel",
    "DeliveryFailed",
    "Defer",
    "DeliveryReport",
    "delivered",
    "register",
    "deliver",
    "claim",
    "sweep",
    "retry_now",
    "queue_on_commit",
    "retry_delay",
    "Outcome",
    "Delivery",
    "erase_person",
    "clear_old_content",
]

logger = logging.getLogger(__name__)

# A task may arrive a little before its row is due (clocks, the broker's timer): it still counts as due.
EARLY_TOLERANCE = timedelta(seconds=5)
SWEEP_LIMIT = 1000


# ---------------------------------------------------------------------------------------------------------
# What a channel says


class DeliveryFailed(Exception):
    """Raised by ``send(row)`` for a failure it has classified. ``fields``: columns to record on the row."""

    def __init__(self, message: str, *, transient: bool = True, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        self.transient = transient
        self.fields = fields or {}


class Defer(Exception):
    """Raised by ``send(row)`` when the row must wait until ``until`` (quiet hours): no attempt is spent."""

    def __init__(self, until: datetime):
        super().__init__(f"deferred until {until.isoformat()}")
        self.until = until


@dataclass(frozen=True)
class DeliveryReport:
    """What a channel says about a delivered row: its ``channel`` name, the object the message was about
    (``about``: a referral, or None) and a ``detail`` for the record."""

    channel: str
    about: object | None
    detail: dict = field(default_factory=dict)


# Sent with ``report=DeliveryReport(...)`` inside the transaction that marks a row done.
delivered = Signal()


def _always_transient(error: Exception) -> bool:
    return True


@dataclass(frozen=True)
class Channel:
    """One kind of outbox. Numbers are callables so settings are read when used (tests override them)."""

    name: str
    model: type
    send: Callable[[object], dict | None]
    max_attempts: Callable[[], int]
    retry_base_seconds: Callable[[], float]
    retry_max_seconds: Callable[[], float]
    lease_seconds: Callable[[], float]
    pending_grace_seconds: Callable[[], float]
    is_transient: Callable[[Exception], bool] = _always_transient
    # Rows that may be sent now (webhooks: the endpoint is switched on); others wait, untouched.
    sendable: Q | None = None
    related: tuple[str, ...] = ()
    # Columns computed when a row is claimed, read by ``send`` (texts: whether the number replied STOP), so
    # sending asks the database nothing more.
    claim_annotations: Callable[[], dict] | None = None
    report: Callable[[object], DeliveryReport | None] | None = None
    # Personal data (see "Personal data" below). ``content_fields``: what a message says (subject, bodies),
    # blanked ("") when the retention period has passed and when the person it is about is erased;
    # ``recipient_fields``: the recipient's address, blanked when the recipient is erased.
    content_fields: tuple[str, ...] = ()
    recipient_fields: tuple[str, ...] = ()
    # The rows about a person (``core.erasure.Person``: their referrals), and the rows addressed to them.
    about_person: Callable[[object], Q] | None = None
    addressed_to: Callable[[object], Q] | None = None
    # Days after which a done row's content is blanked (0 or None: kept).
    content_retention_days: Callable[[], int] | None = None
    # Development only: the newest ``n`` rows as the dev mailbox (/dev/mailbox/) lists them beside the emails,
    # as dicts (when, to, kind, language, status, body).
    dev_mailbox: Callable[[int], list[dict]] | None = None

    def content_cleared(self) -> Q:
        """Rows whose content has been blanked (after retention or an erasure)."""
        return Q(**{name: "" for name in self.content_fields})

    def rows(self):
        """Every row of the channel. Outbox rows are the worker's: it reads them across tenants."""
        manager = getattr(self.model, "objects", self.model._default_manager)
        if hasattr(manager, "unscoped"):  # a tenant-owned outbox (webhooks): say why every tenant's rows
            return manager.unscoped("the delivery core works on every tenant's outbox rows")
        return manager.all()

    def retry_delay(self, attempt: int) -> float:
        return retry_delay(attempt, base=self.retry_base_seconds(), cap=self.retry_max_seconds())


def setting(name: str, default):
    """A callable reading ``settings.<name>`` (or ``default``) when called."""
    return lambda: getattr(settings, name, default)


def retry_cap_setting(name: str, default: float) -> Callable[[], float]:
    """A ``retry_max_seconds`` reading ``settings.<name>`` (or ``default``), kept below the longest countdown
    the broker honours once (``core.tasks.longest_countdown``: Redis hands an unacknowledged message to another
    worker after its ``visibility_timeout``), so every retry stays a Celery countdown instead of waiting for
    the sweep. Email and texts use it; webhooks back off for hours and leave the longer waits to the sweep."""

    def cap() -> float:
        from .tasks import longest_countdown

        return min(float(getattr(settings, name, default)), longest_countdown())

    return cap


_channels: dict[str, Channel] = {}


def register(channel: Channel) -> Channel:
    """Makes ``channel`` known to the task, the sweep and the admin (from its AppConfig.ready)."""
    for column in ("status", "attempts", "last_error", "next_attempt_at", "lease_until", channel.model.DONE_AT_FIELD):
        channel.model._meta.get_field(column)  # fails at start-up when the model lacks a column
    _channels[channel.name] = channel
    return channel


def channels() -> list[Channel]:
    return list(_channels.values())


def get_channel(channel: Channel | str) -> Channel:
    if isinstance(channel, Channel):
        return channel
    try:
        return _channels[channel]
    except KeyError:
        raise LookupError(f"No outbox channel named {channel!r}; registered: {', '.join(_channels)}.") from None


# ---------------------------------------------------------------------------------------------------------
# Queueing


def queue_on_commit(channel: Channel | str, row_ids: Iterable[int]) -> None:
    """Publishes one delivery task per row when the current transaction commits (nothing if it rolls back)."""
    from .tasks import deliver_outbox_row

    name = get_channel(channel).name
    for row_id in row_ids:
        deliver_outbox_row.delay_on_commit(name, row_id)


def _queue_now(channel: Channel, row_id: int) -> bool:
    """Publishes one task now; False when the broker cannot be reached (the task logs it)."""
    from .tasks import deliver_outbox_row

    return deliver_outbox_row.delay(channel.name, row_id) is not None


# ---------------------------------------------------------------------------------------------------------
# Delivery


class Outcome:
    SENT = "sent"
    SKIPPED = "skipped"  # done, failed, held, not due yet, or another worker holds it
    RETRY = "retry"
    DEFERRED = "deferred"
    FAILED = "failed"


@dataclass
class Delivery:
    outcome: str
    retry_in: float | None = None
    error: str = ""


def retry_delay(attempt: int, *, base: float, cap: float) -> float:
    """Seconds before the next attempt after ``attempt`` failed ones: exponential backoff with jitter.

    The ceiling doubles from ``base`` (attempt 1) up to ``cap``; the delay is drawn between half the ceiling
    and the ceiling, so workers that failed together do not come back together.
    """
    ceiling = min(float(cap), float(base) * 2 ** max(attempt - 1, 0))
    return random.uniform(ceiling / 2, ceiling)


def _claimable(model, now: datetime) -> Q:
    """A due ``pending`` row, or a ``sending`` row whose lease expired (its worker is presumed dead)."""
    return Q(status=model.PENDING, next_attempt_at__lte=now + EARLY_TOLERANCE) | Q(
        status=model.SENDING, lease_until__lte=now
    )


def claim(channel: Channel | str, row_id: int, *, now: datetime | None = None):
    """Takes the row for one attempt, or returns None when it is not this worker's to send.

    One statement: ``UPDATE ... SET status = 'sending', attempts = attempts + 1, lease_until = ... WHERE id IN
    (SELECT id ... WHERE <claimable> FOR UPDATE SKIP LOCKED)``. The row is locked only for that statement,
    skipped if another worker holds its lock (nobody waits), and a row that is not due, done, failed or under
    a live lease is not touched. Then the row is read with what sending needs (``related``,
    ``claim_annotations``). Two round trips where a transaction around a locking SELECT and an UPDATE took
    four (a text's delivery went from 13 to 9 ms of CPU with the other savings of issue 14).
    """
    channel = get_channel(channel)
    now = now or timezone.now()
    model = channel.model
    rows = channel.rows().filter(pk=row_id)
    if channel.sendable is not None:
        rows = rows.filter(channel.sendable)
    lease_until = now + timedelta(seconds=channel.lease_seconds())
    connection = connections[rows.db]
    if connection.vendor == "postgresql":
        claimed = _claim_in_one_statement(connection, model, rows.filter(_claimable(model, now)), lease_until)
    else:  # SQLite (``make run``): one writer at a time, no row locks to skip
        with transaction.atomic():
            claimed = rows.filter(_claimable(model, now)).update(
                status=model.SENDING, attempts=F("attempts") + 1, lease_until=lease_until
            )
    if not claimed:
        return None
    loaded = channel.rows().select_related(*channel.related)
    if channel.claim_annotations is not None:
        loaded = loaded.annotate(**channel.claim_annotations())
    return loaded.get(pk=row_id)


def _claim_in_one_statement(connection, model, due, lease_until) -> bool:
    table = connection.ops.quote_name(model._meta.db_table)
    column = {name: connection.ops.quote_name(model._meta.get_field(name).column) for name in ("status", "attempts")}
    column["lease_until"] = connection.ops.quote_name(model._meta.get_field("lease_until").column)
    key = connection.ops.quote_name(model._meta.pk.column)
    select, params = due.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {column['status']} = %s, {column['attempts']} = {column['attempts']} + 1, "
            f"{column['lease_until']} = %s WHERE {key} IN ({select} FOR UPDATE OF {table} SKIP LOCKED) "
            f"RETURNING {key}",
            [model.SENDING, lease_until, *params],
        )
        return cursor.fetchone() is not None


def deliver(channel: Channel | str, row_id: int) -> Delivery:
    """Sends one row if it is this call's to send, and records the outcome. Safe to call any number of
    times for the same row, concurrently too (see ``claim``)."""
    channel = get_channel(channel)
    row = claim(channel, row_id)
    if row is None:
        return Delivery(Outcome.SKIPPED)
    try:
        fields = channel.send(row) or {}
    except Defer as defer:
        return _record_deferred(channel, row, defer.until)
    except Exception as error:  # noqa: BLE001 - every failure is recorded on the row
        return _record_failure(channel, row, error)
    _record_done(channel, row, fields)
    return Delivery(Outcome.SENT)


def _this_attempt(channel: Channel, row):
    """The row, if it is still in the attempt this worker claimed."""
    return channel.rows().filter(pk=row.pk, status=row.SENDING, attempts=row.attempts)


def _record_done(channel: Channel, row, fields: dict) -> None:
    now = timezone.now()
    with transaction.atomic():
        updated = _this_attempt(channel, row).update(
            status=row.DONE_STATUS, lease_until=None, last_error="", **{row.DONE_AT_FIELD: now}, **fields
        )
        report = channel.report(row) if (updated and channel.report) else None
        if report is not None:
            try:
                with transaction.atomic():
                    delivered.send(sender=channel.model, report=report)
            except Exception:  # noqa: BLE001 - the message went out: marking it sent matters more than the record
                logger.exception("Outbox %s row %s: recording the delivery failed", channel.name, row.pk)


def _record_deferred(channel: Channel, row, until: datetime) -> Delivery:
    _this_attempt(channel, row).update(
        status=row.PENDING, lease_until=None, attempts=row.attempts - 1, next_attempt_at=until
    )
    return Delivery(Outcome.DEFERRED, retry_in=max((until - timezone.now()).total_seconds(), 0))


def _record_failure(channel: Channel, row, error: Exception) -> Delivery:
    if isinstance(error, DeliveryFailed):
        transient, fields, description = error.transient, error.fields, error.message
    else:
        transient, fields, description = channel.is_transient(error), {}, f"{type(error).__name__}: {error}"
    description = (description or type(error).__name__)[:2000]
    if transient and row.attempts < channel.max_attempts():
        delay = channel.retry_delay(row.attempts)
        _this_attempt(channel, row).update(
            status=row.PENDING,
            lease_until=None,
            last_error=description,
            next_attempt_at=timezone.now() + timedelta(seconds=delay),
            **fields,
        )
        logger.warning(
            "Outbox %s row %s failed (attempt %s), retrying in %.1fs: %s",
            channel.name,
            row.pk,
            row.attempts,
            delay,
            description,
        )
        return Delivery(Outcome.RETRY, retry_in=delay, error=description)
    _this_attempt(channel, row).update(status=row.FAILED, lease_until=None, last_error=description, **fields)
    logger.error(
        "Outbox %s row %s failed for good after %s attempt(s): %s", channel.name, row.pk, row.attempts, description
    )
    return Delivery(Outcome.FAILED, error=description)


# ---------------------------------------------------------------------------------------------------------
# The sweep and the admin's retry


def lost_rows(channel: Channel | str, *, now: datetime):
    """Rows the queue lost: pending a grace period past their due time, or sending with an expired lease."""
    channel = get_channel(channel)
    grace = timedelta(seconds=channel.pending_grace_seconds())
    model = channel.model
    rows = channel.rows().filter(
        Q(status=model.PENDING, next_attempt_at__lte=now - grace) | Q(status=model.SENDING, lease_until__lte=now)
    )
    if channel.sendable is not None:
        rows = rows.filter(channel.sendable)
    return rows


def sweep(channel: Channel | str, *, now: datetime | None = None, limit: int = SWEEP_LIMIT) -> int:
    """Queues again what the broker or a dead worker lost. Returns how many rows were queued.

    ``now`` decides what counts as lost (tests pass a later time instead of waiting); rows queued are
    marked due at the real time of queuing, so the next sweep leaves them to their task for a grace period.
    Stops at the first row it cannot queue (the broker is down): the next sweep tries again.
    """
    channel = get_channel(channel)
    now = now or timezone.now()
    model = channel.model
    ids = list(lost_rows(channel, now=now).order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    if not ids:
        return 0
    with transaction.atomic():
        channel.rows().filter(pk__in=ids, status=model.SENDING, lease_until__lte=now).update(
            status=model.PENDING, lease_until=None, last_error="The sending worker stopped."
        )
        channel.rows().filter(pk__in=ids, status=model.PENDING).update(next_attempt_at=timezone.now())
    queued = 0
    for row_id in ids:
        if not _queue_now(channel, row_id):
            break
        queued += 1
    logger.info("Outbox sweep (%s) queued %s of %s lost rows", channel.name, queued, len(ids))
    return queued


def retry_now(channel: Channel | str, row_ids: Iterable[int]) -> int:
    """A person's "retry": the failed or waiting (pending) rows among ``row_ids`` become due now with their
    attempts reset, and are queued when this commits. Rows being sent or done are left alone, and so are rows
    whose content was cleared (an erasure stopped them: there is nothing left to send). Returns how many
    were queued."""
    channel = get_channel(channel)
    model = channel.model
    with transaction.atomic():
        rows = channel.rows().select_for_update().filter(pk__in=list(row_ids), status__in=[model.FAILED, model.PENDING])
        if channel.content_fields:
            rows = rows.exclude(channel.content_cleared())
        ids = list(rows.values_list("pk", flat=True))
        channel.rows().filter(pk__in=ids).update(
            status=model.PENDING, attempts=0, next_attempt_at=timezone.now(), lease_until=None
        )
        queue_on_commit(channel, ids)
    return len(ids)


# ---------------------------------------------------------------------------------------------------------
# Personal data: erasure and retention
#
# An outbox row is a copy of what was said to someone, so it is personal data with its own lifetime. A channel
# declares which columns hold it (``content_fields``, ``recipient_fields``) and which rows concern a person
# (``about_person``, ``addressed_to``); the core then does the rest for every channel:
#
# - ``erase_person(person)``, a core.erasure scrubber: the rows about the person lose their content, the rows
#   addressed to them lose the address too, and those not yet sent are stopped (``failed``, never sent: they
#   would say what the erasure removed). ``retry_now`` leaves cleared rows alone.
# - ``clear_old_content(now)`` (beat, daily, ``core.tasks.clear_outbox_content``): done rows older than the
#   channel's ``content_retention_days`` (``NOTIFICATION_BODY_RETENTION_DAYS`` for email) lose their content;
#   the row stays (kind, recipient, status, times) as the record that a message was sent.

ERASED_BEFORE_SENDING = "Not sent: the person it concerned was erased."


def erase_person(person) -> int:
    """Clears every channel's rows about ``person`` (core.erasure.Person). Returns how many rows it touched."""
    touched = 0
    for channel in channels():
        if channel.about_person is None and channel.addressed_to is None:
            continue
        model = channel.model
        about = channel.about_person(person) if channel.about_person else Q(pk__in=[])
        addressed = channel.addressed_to(person) if channel.addressed_to else Q(pk__in=[])
        rows = channel.rows().filter(about | addressed)
        rows.filter(status__in=[model.PENDING, model.SENDING]).update(
            status=model.FAILED, lease_until=None, last_error=ERASED_BEFORE_SENDING
        )
        blank = {name: "" for name in channel.content_fields}
        if blank:
            touched += rows.update(**blank)
        rows.exclude(last_error=ERASED_BEFORE_SENDING).update(last_error="")  # a provider's error quotes the address
        if channel.recipient_fields:
            channel.rows().filter(addressed).update(**{name: "" for name in channel.recipient_fields})
    return touched


def clear_old_content(*, now: datetime | None = None) -> dict[str, int]:
    """Retention: blanks the content of done rows older than each channel's retention period. Safe to run
    again (rows already cleared are skipped). Returns the number of rows cleared per channel."""
    now = now or timezone.now()
    cleared = {}
    for channel in channels():
        days = channel.content_retention_days() if channel.content_retention_days else 0
        if not days or not channel.content_fields:
            continue
        model = channel.model
        old = channel.rows().filter(
            **{"status": model.DONE_STATUS, f"{model.DONE_AT_FIELD}__lt": now - timedelta(days=days)}
        )
        cleared[channel.name] = old.exclude(channel.content_cleared()).update(
            **{name: "" for name in channel.content_fields}
        )
    return cleared
