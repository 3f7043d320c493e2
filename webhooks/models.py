"""Webhook endpoints (tenant-owned) and their outbox of deliveries.

A delivery row is written in the same transaction as the referral event it reports, with the exact body
that will be signed and sent, so retries send the same bytes and nothing is lost when the worker, the
broker or the receiver fails.
"""

import base64
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Organization
from accounts.tenancy import TenantManager
from core.models import OutboxRow

from .validators import validate_webhook_url

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64 (the signing key)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def secret_key(secret: str) -> bytes:
    """The signing key a ``whsec_`` secret carries (base64 after the prefix); any other string is its own key
    (as secrets were before Standard Webhooks)."""
    if secret.startswith(SECRET_PREFIX):
        try:
            return base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
        except ValueError:
            pass
    return secret.encode()


class WebhookEndpoint(models.Model):
    """An HTTPS address of an organization's system that receives its referrals' events."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(
        "URL",
        max_length=500,
        validators=[validate_webhook_url],
        help_text="Must be https://. Each event is POSTed here as signed JSON.",
    )
    description = models.CharField(max_length=200, blank=True)
    secret = models.CharField(
        max_length=128,
        default=new_secret,
        editable=False,
        help_text="Signs every delivery (Standard Webhooks, whsec_...). Share it only with the receiver.",
    )
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects_across_tenants = models.Manager()
    objects = TenantManager()

    class Meta:
        default_manager_name = "objects_across_tenants"
        ordering = ["organization__name", "created_at"]

    def __str__(self):
        return f"{self.url} ({self.organization})"


class WebhookDelivery(OutboxRow):
    """One event for one endpoint: the outbox row, retried with backoff until the receiver says 2xx."""

    DONE_STATUS = "delivered"
    DONE_AT_FIELD = "delivered_at"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed (gave up; can be retried from the admin)"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    key = models.CharField(
        max_length=100, unique=True, help_text="event id + endpoint id: one delivery per event and endpoint, ever."
    )
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField(help_text="Sent as X-Referral-Event-Id; receivers de-duplicate on it.")
    event_type = models.CharField(max_length=60)
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    body = models.TextField(help_text="The JSON body exactly as signed and sent.")

    # attempts, last_error, created_at, next_attempt_at, lease_until: core.models.OutboxRow
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    last_response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    sent_at = None

    objects_across_tenants = models.Manager()
    objects = TenantManager()

    class Meta:
        default_manager_name = "objects_across_tenants"
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due")]

    def __str__(self):
        return f"{self.event_type} → {self.endpoint.url} ({self.status})"
