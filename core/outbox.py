"""The delivery core every outbox channel shares (email today).

``delivered`` is sent in the transaction that marks a row delivered, so whoever keeps a record of deliveries
(the referral history's "email sent") writes it exactly when the row is marked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.dispatch import Signal


@dataclass(frozen=True)
class DeliveryReport:
    """What a channel says about a delivered row: its ``channel`` name, the object the message was about
    (``about``: a referral, or None) and a ``detail`` for the record."""

    channel: str
    about: object | None
    detail: dict = field(default_factory=dict)


# Sent with ``report=DeliveryReport(...)`` inside the transaction that marks a row delivered.
delivered = Signal()
