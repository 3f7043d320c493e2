"""One-time sign-in links and codes for seekers.

A ``SignInCode`` is written when someone asks to see their referrals with an email address or a mobile number
that some seeker record has. It keeps the contact (the seeker records already hold it; the row is deleted
soon after it expires) but not the secrets: the link's token and the 6-digit code are kept as keyed hashes, so a
copy of the table signs nobody in. It works once, for SEEKER_SIGN_IN_MINUTES (15), and a few wrong codes use it up.
Expired rows are deleted by a periodic task (``seeker_door.tasks``); they never work after their time whether
deleted or not.
"""

import uuid

from django.db import models
from django.utils import timezone


class SignInCode(models.Model):
    class Kind(models.TextChoices):
        EMAIL = "email", "Email"
        TEXT = "text", "Text message"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    contact_kind = models.CharField(max_length=5, choices=Kind.choices)
    contact = models.CharField(max_length=254, db_index=True, help_text="An email address, or a number in E.164.")
    token_digest = models.CharField(max_length=64, unique=True)
    code_digest = models.CharField(max_length=64)
    wrong_codes = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Sign-in by {self.get_contact_kind_display().lower()} ({'used' if self.used_at else 'unused'})"


class SelfReferralRequest(models.Model):
    """A member of the public asked a program to contact them ("Ask them to contact me" on the public directory)
    and has not confirmed their address yet.

    Nothing of it reaches the program until the person types the code or opens the link sent to the address
    (``seeker_door.services.self_referral_confirm``): then the seeker and the inbound referral are made and this
    row is deleted. An unconfirmed request stops working after SELF_REFERRAL_HOURS (24) and is deleted by the
    hourly sweep. The answers to the program's intake questions are kept here (as asked) until then, and go with
    the request when it is deleted (confirmed, expired, or erased). The secrets are kept as keyed hashes, as for sign-ins; a few wrong codes use the request up.
    Only the program's organization will own what it becomes; no staff page lists these rows.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="+")
    first_name = models.CharField(max_length=150)
    last_name = models.CharField(max_length=150, blank=True)
    contact_kind = models.CharField(max_length=5, choices=SignInCode.Kind.choices)
    contact = models.CharField(max_length=254, help_text="An email address, or a number in E.164.")
    language = models.CharField(max_length=8)
    message = models.TextField(blank=True)
    # The program's intake questions as they were asked on the form, each with its answer (programs.intake):
    # the referral made at the confirmation carries them as they are, even if the questions changed meanwhile.
    intake_answers = models.JSONField(
        default=list,
        # A database default too: processes of the previous release insert requests without this column.
        db_default=models.Value([], output_field=models.JSONField()),
        blank=True,
    )
    consent_wording = models.TextField(help_text="The consent the person ticked, in the words they read.")
    token_digest = models.CharField(max_length=64, unique=True)
    code_digest = models.CharField(max_length=64)
    wrong_codes = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Request for help to program {self.program_id} (unconfirmed)"
