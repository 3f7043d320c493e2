"""Notifications caused by referral events.

``notify_referral_event`` is called by every referral service inside its transaction, so whatever it
writes (outbox rows) commits or rolls back with the change that caused it.
"""


def notify_referral_event(*, event) -> None:
    """Write the outbox rows that ``event`` calls for. Delivery is in notifications.tasks."""
    # The outbox and its delivery arrive with the notifications issue; the seam is here so that every
    # referral service already calls it inside its transaction.
    return None
