"""The outbox: one row per email.

Outbox rows are written in the same transaction as the change that caused them and carry everything
needed to send them (rendered subject and bodies), so delivery never re-reads the referral and a message
says what was true when the change was made.

They are not tenant-owned: a message belongs to its recipient, not to either organization of the
referral. Only the worker, the network admin and the DEBUG-only dev mailbox read them.
"""

import uuid

from django.conf import settings
from django.db import models

from core.models import OutboxRow


class OutboxMessage(OutboxRow):
    class Kind(models.TextChoices):
        NEW_REFERRAL = "new_referral", "New inbound referral (claimers)"
        REFERRAL_CONFIRMATION = "referral_confirmation", "Referral confirmation (seeker)"
        STATUS_CHANGED = "status_changed", "Status changed"
        CONSENT_WITHDRAWN = "consent_withdrawn", "Consent withdrawn (claimers)"
        ASSIGNED = "assigned", "Assigned to you (claimer)"
        CLAIMER_REMINDER = "claimer_reminder", "No answer yet: reminder to claimers"
        ADMIN_ESCALATION = "admin_escalation", "No answer yet: program's organization admins"
        REFERRER_ESCALATION = "referrer_escalation", "No answer yet: referrer"
        EXPIRED_REREFERRAL = "expired_rereferral", "Expired: re-referral offer (referrer)"
        FOLLOW_UP = "follow_up", "Did you get help? (seeker)"
        STALL_CHECK = "stall_check", "Stalled: is the status still right? (claimers)"
        STALL_ALERT = "stall_alert", "Stalled: news and other programs (referrer)"
        STALL_SEEKER_REMINDER = "stall_seeker_reminder", "Stalled: what the program needs (seeker)"
        MEMBER_INVITATION = "member_invitation", "Added to an organization: choose a password (new member)"
        ORGANIZATION_INVITATION = "organization_invitation", "Invited to join an organization (an existing account)"
        PASSWORD_RESET = "password_reset", "Password reset (the account holder)"
        EMAIL_CHANGE = "email_change", "Confirm a new sign-in email (sent to the new address)"
        PROGRAM_DETAILS = "program_details", "A program's details, asked for on the public directory"
        PROGRAM_LIST = "program_list", "A short list of programs, asked for on the public directory"
        SEEKER_SIGN_IN = "seeker_sign_in", "Sign-in link and code for My referrals (seeker)"
        SELF_REFERRAL_CONFIRM = "self_referral_confirm", "Confirm the address of a request for help (seeker)"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    key = models.CharField(
        max_length=200,
        unique=True,
        help_text="One message per key: the same notification is never written (or sent) twice.",
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.CASCADE, null=True, blank=True, related_name="outbox_messages"
    )
    recipient_email = models.EmailField()
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recipient_seeker = models.ForeignKey(
        "seekers.Seeker", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    language = models.CharField(max_length=8, default="en")
    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    # status, attempts, last_error, created_at, next_attempt_at, lease_until, sent_at: core.models.OutboxRow

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_by_status"),
            models.Index(fields=["referral", "-created_at"], name="outbox_by_referral"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.recipient_email} ({self.status})"
