import uuid
from typing import NamedTuple

from django.contrib.auth.models import Group
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from accounts.models import Organization, User
from accounts.tenancy import TenantManager

from .search import SearchDocument


class Category(models.Model):
    """A term of the shared directory's taxonomy (food, housing, ...)."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name


class NextSteps(NamedTuple):
    text: str
    language: str
    foreign: bool  # not in the reader's language: marked with lang="…" for screen readers


class Program(models.Model):
    """A service in the shared directory (an HSDS *service*). Every signed-in user may search it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="programs")
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    categories = models.ManyToManyField(Category, blank=True, related_name="programs")

    eligibility = models.TextField("eligibility", blank=True)
    min_age = models.PositiveSmallIntegerField(null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(null=True, blank=True)
    eligibility_attributes = models.JSONField(
        default=list, blank=True, help_text='Structured eligibility, e.g. ["veteran", "low_income"].'
    )
    languages = models.JSONField(default=list, blank=True, help_text='Language codes, e.g. ["en", "es"].')
    # Structured eligibility read by programs.eligibility (with the ages and the service area below).
    income_limit_percent_of_poverty = models.PositiveSmallIntegerField(
        "household income up to (% of the federal poverty guideline)",
        null=True,
        blank=True,
        help_text="Empty: no income limit. 200 serves households with up to twice the guideline for their size.",
    )
    required_documents = models.JSONField(
        default=list,
        # A database default too: processes of the previous release insert programs without this column.
        db_default=models.Value([], output_field=models.JSONField()),
        blank=True,
        help_text='What a person must bring or show (HSDS required_documents), e.g. ["Photo ID", "Proof of address"].',
    )

    address = models.CharField(max_length=255, blank=True)
    city = models.CharField(max_length=120, blank=True)
    state = models.CharField(max_length=40, blank=True)
    zip_code = models.CharField(max_length=10, blank=True, db_index=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    service_area_zip_codes = models.JSONField(default=list, blank=True)
    service_radius_miles = models.PositiveIntegerField(null=True, blank=True)

    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    schedule = models.TextField(blank=True)

    accepts_referrals = models.BooleanField(default=True)
    capacity_available = models.PositiveIntegerField(null=True, blank=True)
    capacity_maximum = models.PositiveIntegerField(null=True, blank=True)
    capacity_updated_at = models.DateTimeField(null=True, blank=True)
    counts_slots = models.BooleanField(
        "accepting takes a slot",
        default=False,
        # A database default too: processes of the previous release insert programs without this column.
        db_default=False,
        help_text="Accepting a referral takes one of the open slots and closing it gives the slot back "
        "(programs.capacity). Off: the claimers keep the open slots by hand.",
    )
    next_steps = models.TextField(blank=True, help_text="What the seeker should do next.")
    next_steps_es = models.TextField(
        "next steps in Spanish",
        blank=True,
        help_text="The same, in Spanish, for seekers who read Spanish; without it they see the English text.",
    )
    expected_response_hours = models.PositiveIntegerField(
        default=72, help_text="How soon the program answers a new referral."
    )

    # When a referral left in one of these statuses counts as stalled (referrals.stalls); empty: the network's
    # default (settings.STALL_DAYS). A change applies from each referral's next stall period.
    stall_days_needs_client_action = models.PositiveSmallIntegerField(
        "stalled after (needs client action), days",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Empty: the network's default (3 days).",
    )
    stall_days_waitlisted = models.PositiveSmallIntegerField(
        "stalled after (waitlisted), days",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Empty: the network's default (14 days).",
    )
    stall_days_accepted = models.PositiveSmallIntegerField(
        "stalled after (accepted, service not started), days",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Empty: the network's default (14 days).",
    )
    stall_days_in_service = models.PositiveSmallIntegerField(
        "stalled after (in service), days",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Empty: the network's default (60 days).",
    )

    shares_outbound = models.BooleanField(
        "shares outbound referrals",
        default=False,
        help_text="Every claimer may see and act on referrals made by a claimer on behalf of this program.",
    )
    round_robin_assignment = models.BooleanField(default=False)
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="program", editable=False)

    hsds_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    @property
    def on_waitlist(self) -> bool:
        """No open slot left (zero, not unknown): search shows "Waitlist" and the Connect form says so."""
        return self.capacity_available == 0

    def next_steps_in(self, language: str | None) -> NextSteps:
        """The next steps for a reader of ``language``: in it when the program wrote them in it, else the
        English ones, marked ``foreign`` so that the page or email says so with ``lang="en"``."""
        reader = (language or "en").split("-")[0]
        if reader == "es" and self.next_steps_es.strip():
            return NextSteps(self.next_steps_es, "es", foreign=False)
        return NextSteps(self.next_steps, "en", foreign=reader != "en")

    updated_at = models.DateTimeField(auto_now=True)
    # Kept up to date by the database; keyword search on PostgreSQL uses it through a GIN index.
    search_document = models.GeneratedField(
        expression=SearchDocument(), output_field=SearchVectorField(), db_persist=True
    )

    # The directory is shared: reads start from programs.selectors; writes check the organization.
    objects_across_tenants = models.Manager()
    objects = TenantManager()

    class Meta:
        ordering = ["name"]
        default_manager_name = "objects_across_tenants"
        indexes = [
            models.Index(fields=["latitude", "longitude"], name="program_location"),
            GinIndex(fields=["search_document"], name="program_search_document"),
        ]

    def __str__(self):
        return self.name


class ProgramClaimer(models.Model):
    """A worker on a program: receives and works its inbound referrals."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="claimer_memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="claimer_memberships")
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["program", "user"], name="one_claimer_membership")]
        ordering = ["joined_at"]

    def __str__(self):
        return f"{self.user} on {self.program}"


class PovertyGuideline(models.Model):
    """One year's HHS poverty guideline for one region (the 48 contiguous states and DC, Alaska, Hawaii), loaded
    from programs/data/ by ``manage.py load_poverty_guidelines``. The latest year of each region is current."""

    class Region(models.TextChoices):
        CONTIGUOUS = "contiguous", "48 contiguous states and DC"
        ALASKA = "alaska", "Alaska"
        HAWAII = "hawaii", "Hawaii"

    year = models.PositiveSmallIntegerField()
    region = models.CharField(max_length=20, choices=Region.choices)
    first_person = models.PositiveIntegerField(help_text="Yearly dollars for a household of one.")
    each_additional_person = models.PositiveIntegerField(help_text="Yearly dollars added for each further person.")
    source = models.URLField(max_length=500)
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-year", "region"]
        constraints = [models.UniqueConstraint(fields=["year", "region"], name="one_guideline_per_year_and_region")]

    def __str__(self):
        return f"{self.year} {self.get_region_display()}: ${self.first_person} + ${self.each_additional_person}"


class IntakeQuestion(models.Model):
    """One of the questions a program asks on the Connect form (programs.intake holds the rules). Part of the
    program's listing in the shared directory: edited by its claimers (programs.services.program_set_questions)
    and network admins; each referral keeps the questions as they were asked, with its answers."""

    class Kind(models.TextChoices):
        SHORT_TEXT = "short_text", "Short text"
        LONG_TEXT = "long_text", "Long text"
        YES_NO = "yes_no", "Yes or no"
        ONE_CHOICE = "one_choice", "One choice"
        SEVERAL_CHOICES = "several_choices", "Several choices"
        NUMBER = "number", "Number"
        DATE = "date", "Date"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="intake_questions")
    position = models.PositiveSmallIntegerField(default=0, help_text="Questions are asked in this order.")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.SHORT_TEXT)
    text = models.CharField("question", max_length=300)
    text_es = models.CharField("question in Spanish", max_length=300, blank=True)
    help = models.CharField("help text", max_length=500, blank=True)
    help_es = models.CharField("help text in Spanish", max_length=500, blank=True)
    required = models.BooleanField(default=False)
    choices = models.JSONField(default=list, blank=True, help_text="For choice questions: the choices, in order.")
    choices_es = models.JSONField(
        default=list, blank=True, help_text="The same choices in Spanish, in the same order (optional)."
    )

    class Meta:
        ordering = ["program", "position", "id"]

    def __str__(self):
        return self.text

    def snapshot(self) -> dict:
        """The question as programs.intake reads it and a referral keeps it."""
        return {
            "id": str(self.public_id),
            "kind": self.kind,
            "required": self.required,
            "text": self.text,
            "text_es": self.text_es,
            "help": self.help,
            "help_es": self.help_es,
            "choices": list(self.choices or []),
            "choices_es": list(self.choices_es or []),
        }
