import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Organization, Team
from accounts.tenancy import TenantManager, TenantQuerySet


class SeekerQuerySet(TenantQuerySet):
    def restrict(self, user, action: str = "view"):
        """The seekers ``user`` may use for ``action`` ("view", "view:all"): the rule book (seekers.policies)
        picks how they are found."""
        from .policies import restrict_seekers

        return restrict_seekers(self, user, action)._scoped()


class Seeker(models.Model):
    """A person seeking help. Owned by the organization whose helper created the profile."""

    class Language(models.TextChoices):
        ENGLISH = "en", "English"
        SPANISH = "es", "Español"

    class ContactPreference(models.TextChoices):
        EMAIL = "email", "Email"
        PHONE = "phone", "Phone"
        TEXT = "text", "Text message"
        DO_NOT_CONTACT = "do_not_contact", "Do not contact"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="seekers")
    first_name = models.CharField(max_length=150)
    last_name = models.CharField(max_length=150, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    zip_code = models.CharField(max_length=10, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True, help_text="E.164 (+13125550142); see core.phones.")
    phone_needs_check = models.BooleanField(
        default=False,
        help_text="The number kept from before phones were validated could not be read: a helper "
        "should fix it. Never texted while set.",
    )
    preferred_language = models.CharField(max_length=8, choices=Language.choices, default=Language.ENGLISH)
    # Optional facts the programs' eligibility rules read (programs.eligibility); empty is "not recorded".
    household_size = models.PositiveSmallIntegerField(null=True, blank=True)
    monthly_income = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    languages = models.JSONField(
        default=list,
        # A database default too: processes of the previous release create profiles without this column.
        db_default=models.Value([], output_field=models.JSONField()),
        blank=True,
    )
    contact_preference = models.CharField(
        max_length=20, choices=ContactPreference.choices, default=ContactPreference.EMAIL
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="seekers",
        help_text="The helper's team; a team that shares outbound referrals shares its people too.",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="seeker_profile",
        help_text="The seeker's own account, if they have one.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    last_activity_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects_across_tenants = models.Manager()
    objects = TenantManager.from_queryset(SeekerQuerySet)()

    class Meta:
        ordering = ["last_name", "first_name"]
        default_manager_name = "objects_across_tenants"
        indexes = [models.Index(fields=["organization", "last_name", "first_name"], name="seeker_by_name")]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def does_not_want_contact(self) -> bool:
        return self.contact_preference == self.ContactPreference.DO_NOT_CONTACT


class SeekerIdentifier(models.Model):
    """An identifier another system keeps for the person (an EHR's medical record number, FHIR
    Patient.identifier): a referral sent over FHIR with it finds the profile its organization already keeps.

    Unique per organization and system: one organization's record number never names two of its people, and
    another organization's identifiers are never searched.
    """

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    seeker = models.ForeignKey(Seeker, on_delete=models.CASCADE, related_name="identifiers")
    system = models.CharField(max_length=255, help_text="The identifier's namespace, a URI (FHIR Identifier.system).")
    value = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects_across_tenants = models.Manager()
    objects = TenantManager()

    class Meta:
        default_manager_name = "objects_across_tenants"
        constraints = [
            models.UniqueConstraint(fields=["organization", "system", "value"], name="one_seeker_per_identifier")
        ]

    def __str__(self):
        return f"{self.system}|{self.value}"
