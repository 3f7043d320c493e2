"""The text-message outbox and the short links texts carry.

A ``TextMessage`` is one text to one phone number, written in the transaction of the change that calls for it
with its whole body (already counted to fit one message), then delivered by the delivery core (core.outbox).
Like the email outbox it is not tenant-owned: a message belongs to its recipient.

A ``ShortLink`` is what ``/t/<code>/`` opens: a random code (unguessable, stored server-side) standing for the
signed answer-page link of one referral and one recipient (``referrals.links``), which expires as email links
do. The code is short so the link fits in a text; the signed link it stands for is the same as email's.
"""

import uuid

from django.db import models
from django.utils import timezone

from core.models import OutboxRow


class TextMessage(OutboxRow):
    class Kind(models.TextChoices):
        REFERRAL_CONFIRMATION = "referral_confirmation", "Referral confirmation (seeker)"
        STATUS_CHANGED = "status_changed", "Status changed (seeker)"
        FOLLOW_UP = "follow_up", "Did you get help? (seeker)"
        REPLY = "reply", "Answer to a text the person sent"
        PROGRAM_DETAILS = "program_details", "A program's details, asked for on the public directory"
        SEEKER_SIGN_IN = "seeker_sign_in", "Sign-in link and code for My referrals (seeker)"
        SELF_REFERRAL_CONFIRM = "self_referral_confirm", "Confirm the number of a request for help (seeker)"

    class Encoding(models.TextChoices):
        GSM7 = "gsm7", "GSM-7 (160 characters)"
        UCS2 = "ucs2", "UCS-2 (70 characters)"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    key = models.CharField(
        max_length=200,
        unique=True,
        help_text="One text per key: the same notification is never written (or sent) twice.",
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.CASCADE, null=True, blank=True, related_name="text_messages"
    )
    recipient_seeker = models.ForeignKey(
        "seekers.Seeker", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    to_number = models.CharField(max_length=20, help_text="E.164.")
    language = models.CharField(max_length=8, default="en")
    body = models.TextField()
    encoding = models.CharField(max_length=4, choices=Encoding.choices, default=Encoding.GSM7)
    # What the provider said: its id for the message (status callbacks name it) and its last delivery status.
    provider_id = models.CharField(max_length=64, blank=True, db_index=True)
    provider_status = models.CharField(max_length=20, blank=True)
    provider_error_code = models.CharField(max_length=10, blank=True)
    # status, attempts, last_error, created_at, next_attempt_at, lease_until, sent_at: core.models.OutboxRow

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="text_outbox_by_status"),
            models.Index(fields=["recipient_seeker", "-created_at"], name="text_outbox_by_seeker"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.to_number} ({self.status})"


class ShortLink(models.Model):
    code = models.CharField(max_length=16, unique=True)
    referral = models.ForeignKey("referrals.Referral", on_delete=models.CASCADE, related_name="+")
    seeker = models.ForeignKey("seekers.Seeker", on_delete=models.CASCADE, related_name="+")
    # The signed answer-page path (referrals.links.link_path): its token names the referral and the recipient
    # and expires as every email link does.
    target = models.CharField(max_length=600)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()

    def __str__(self):
        return f"/t/{self.code}/"


class TextOptOut(models.Model):
    """A number that replied STOP (or another opt-out word): nothing is texted to it until it replies START.
    Kept by number, as carriers keep it: every profile with the number stops getting texts."""

    number = models.CharField(max_length=20, unique=True, help_text="E.164.")
    keyword = models.CharField(max_length=20)
    stopped_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.number} ({self.keyword})"
