import uuid

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser, Group
from django.db import models
from django.utils import timezone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in with their email address."""

    username = None
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField("email address", unique=True)
    first_name = models.CharField("first name", max_length=150)
    last_name = models.CharField("last name", max_length=150)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    objects = UserManager()

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self):
        return f"{self.get_full_name()} <{self.email}>"

    @property
    def display_name(self) -> str:
        """The full name, or the email address of someone without one."""
        return self.get_full_name() or self.email

    @property
    def short_name(self) -> str:
        """The name history lines show: first name and last initial ("Maria G.")."""
        initial = f" {self.last_name[:1]}." if self.last_name else ""
        return f"{self.first_name}{initial}".strip() or self.email


class Organization(models.Model):
    """The tenant. It may run a Site (its workers help seekers) and may provide Programs."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    runs_site = models.BooleanField(default=False, help_text="Its workers help seekers and make referrals (a Site).")
    admin_group = models.OneToOneField(
        Group, on_delete=models.PROTECT, related_name="administered_organization", editable=False
    )
    hsds_id = models.CharField(
        max_length=255,
        unique=True,
        null=True,
        blank=True,
        help_text="The organization's id in an imported Open Referral (HSDS) directory.",
    )
    description = models.TextField(
        blank=True,
        help_text="What the organization does, as the public directory and its HSDS export show it.",
    )
    is_active = models.BooleanField(
        "active",
        default=True,
        help_text="Off when the organization leaves the network: its programs are no longer found, in the public "
        "directory (/find/, where their pages answer 410) and in search; its referrals stay.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """A user's place in an organization: worker or admin, since when."""

    class Role(models.TextChoices):
        WORKER = "worker", "Worker"
        ADMIN = "admin", "Organization admin"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.WORKER)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organization"], name="one_membership_per_organization")]
        ordering = ["joined_at"]

    def __str__(self):
        return f"{self.user} · {self.organization} ({self.get_role_display()})"

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN


class Team(models.Model):
    """Workers inside one organization. Its group receives the grants on referrals its members share."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=200)
    shares_outbound = models.BooleanField(
        "shares outbound referrals",
        default=False,
        help_text="Every member may see and act on referrals made by a member from now on.",
    )
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="team", editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["organization__name", "name"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="unique_team_name")]

    def __str__(self):
        return f"{self.name} ({self.organization})"


class TeamMembership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="team_memberships")
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="one_membership_per_team")]
        ordering = ["joined_at"]

    def __str__(self):
        return f"{self.user} in {self.team}"


class Invitation(models.Model):
    """An organization admin's invitation of someone who already has an account to join the organization.

    Nothing of theirs changes (memberships, sessions, API tokens) until they accept it from the emailed link,
    signed in as that account (accounts.services.invitation_accept); an admin of the organization may cancel
    it before then. It is open until ``expires_at`` (ORGANIZATION_INVITATION_DAYS) and accepted once."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="invitations", help_text="The account invited."
    )
    email = models.EmailField(help_text="The address the invitation was sent to (the account's, at the time).")
    role = models.CharField(max_length=10, choices=Membership.Role.choices, default=Membership.Role.WORKER)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "-created_at"], name="invitations_by_organization")]

    def __str__(self):
        return f"{self.email} → {self.organization} ({self.get_role_display()})"
