import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Organization
from accounts.tenancy import TenantManager
from seekers.models import Seeker


class Goal(models.Model):
    """Something a seeker wants to reach ("Find stable housing"); referrals may be added to it."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    seeker = models.ForeignKey(Seeker, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects_across_tenants = models.Manager()
    objects = TenantManager()

    class Meta:
        ordering = ["status", "created_at"]
        default_manager_name = "objects_across_tenants"

    def __str__(self):
        return self.title
