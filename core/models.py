"""Abstract models shared by the apps. The core has no tables of its own."""

from django.db import models
from django.utils import timezone


class OutboxRow(models.Model):
    """The columns the delivery core (core.outbox) needs. A channel's model adds its payload and indexes.

    A channel whose "done" is not "sent" (webhooks: "delivered", at ``delivered_at``) declares its own
    ``status`` field and sets ``DONE_STATUS``, ``DONE_AT_FIELD`` and ``sent_at = None``.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    PENDING, SENDING, FAILED = "pending", "sending", "failed"
    DONE_STATUS = "sent"
    DONE_AT_FIELD = "sent_at"

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    next_attempt_at = models.DateTimeField(
        default=timezone.now, help_text="When it is due; the sweep queues a pending row again some time after."
    )
    lease_until = models.DateTimeField(
        null=True, blank=True, help_text="While sending: after this the attempt is presumed dead."
    )
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
