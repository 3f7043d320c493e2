"""The one way news leaves the referral lifecycle: a registry of subscribers, filled at start-up.

``referrals`` makes every change to a referral and records it: a history event (``ReferralEvent``, written by
``services.record_event``) or an automatic step on an unanswered or accepted referral (``EscalationStep``,
taken by ``sweeps.escalation_take_step``). Each record is published here, to the subscribers that the channel
apps registered in their ``AppConfig.ready`` (notifications: email; webhooks). Channels decide who is told
and deliver; they never change a referral, and ``referrals`` never imports them.

A subscriber is called in one of two phases:

``IN_TRANSACTION``
    Inside the change's transaction, right after the record is written: for subscribers that write outbox
    rows (email, webhooks, text messages). The rows commit or roll back with the change, so a notification
    is never lost once the change is saved, and the delivery core queues them only when the transaction
    commits (``core.outbox``): a change that rolls back tells nobody. A subscriber that raises fails the
    change, as any failing write inside it would.
``ON_COMMIT``
    Once the change has committed, never for a change that rolled back: for effects outside the database
    (pushes to open pages, caches, metrics). Not durable: a process that dies between the commit and the
    call skips it, so nothing that must reach a person belongs here. A failing subscriber is logged and the
    others still run.

Why not deliver everything on commit: an outbox row written after the commit is lost when the process dies
in between (or an earlier on-commit callback raises), which is exactly what the outbox exists to prevent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from django.db import transaction

logger = logging.getLogger(__name__)

# What is published. A topic names the kind of record its subscribers receive.
HISTORY_EVENT = "history_event"  # a ReferralEvent was recorded (every change to a referral writes one)
ESCALATION_STEP = "escalation_step"  # an EscalationStep was taken (reminders, expiry, the follow-up question)
TOPICS = (HISTORY_EVENT, ESCALATION_STEP)


class Phase(Enum):
    IN_TRANSACTION = "in_transaction"
    ON_COMMIT = "on_commit"


@dataclass(frozen=True)
class Subscriber:
    topic: str
    handler: Callable[[object], None]
    phase: Phase
    name: str


_subscribers: list[Subscriber] = []


def subscribe(topic: str, handler: Callable[[object], None], *, phase: Phase, name: str = "") -> Subscriber:
    """Calls ``handler(record)`` for every record published on ``topic``, in ``phase``.

    Meant for ``AppConfig.ready``. Subscribing the same ``name`` twice (``ready`` may run again in tests)
    replaces the first subscription rather than calling the handler twice.
    """
    if topic not in TOPICS:
        raise ValueError(f"Unknown topic {topic!r}; the topics are {', '.join(TOPICS)}.")
    if not isinstance(phase, Phase):
        raise TypeError("phase must be events.Phase.IN_TRANSACTION or events.Phase.ON_COMMIT.")
    name = name or f"{handler.__module__}.{handler.__qualname__}"
    subscriber = Subscriber(topic=topic, handler=handler, phase=phase, name=name)
    unsubscribe(name)
    _subscribers.append(subscriber)
    return subscriber


def unsubscribe(name: str) -> None:
    _subscribers[:] = [subscriber for subscriber in _subscribers if subscriber.name != name]


def subscribers(topic: str | None = None) -> list[Subscriber]:
    return [subscriber for subscriber in _subscribers if topic is None or subscriber.topic == topic]


def publish(topic: str, record) -> None:
    """Tells the subscribers of ``topic`` about ``record``: now for IN_TRANSACTION, on commit for ON_COMMIT.

    Called by the referral services inside their transaction, right after ``record`` is written.
    """
    for subscriber in subscribers(topic):
        if subscriber.phase is Phase.IN_TRANSACTION:
            subscriber.handler(record)
        else:
            transaction.on_commit(_later(subscriber, record), robust=True)


def _later(subscriber: Subscriber, record):
    def call():
        logger.debug("referral events: %s receives %s", subscriber.name, record)
        subscriber.handler(record)

    return call
