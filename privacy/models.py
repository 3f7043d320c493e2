import uuid

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Organization
from accounts.tenancy import TenantManager


class AccessRecord(models.Model):
    """Who looked at (or listed, exported, or erased) a seeker's data, when, from where and through what.

    Append-only: a PostgreSQL trigger refuses every UPDATE and DELETE, so the application cannot rewrite
    or remove the trail. ``organization`` is the tenant that owns the data (the seeker's organization).
    """

    class Action(models.TextChoices):
        VIEWED = "viewed", "Viewed"
        LISTED = "listed", "Listed"  # in a list, a search or a page of results (one request, many people)
        EXPORTED = "exported", "Exported"
        ERASED = "erased", "Erased"

    class Via(models.TextChoices):
        WEB = "web", "Web"
        API = "api", "API"
        FHIR = "fhir", "FHIR"
        EMAIL_LINK = "email_link", "Email link"
        ADMIN = "admin", "Admin"
        SYSTEM = "system", "System"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The staff user; empty for a seeker's email link and for the system.",
    )
    actor_display = models.CharField(max_length=200)
    actor_organization = models.CharField(max_length=255, blank=True)
    seeker = models.ForeignKey("seekers.Seeker", on_delete=models.PROTECT, related_name="+")
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=10, choices=Action.choices, default=Action.VIEWED)
    via = models.CharField(max_length=12, choices=Via.choices, default=Via.WEB)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects_across_tenants = models.Manager()
    objects = TenantManager()

    class Meta:
        default_manager_name = "objects_across_tenants"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["seeker", "-created_at"], name="access_by_seeker")]
        triggers = [
            pgtrigger.Protect(name="protect_access_records", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self):
        return f"{self.actor_display} {self.get_action_display().lower()} via {self.get_via_display()}"
