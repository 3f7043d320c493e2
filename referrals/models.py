import uuid

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from accounts.models import Organization, Team
from accounts.tenancy import TenantManager, TenantQuerySet
from goals.models import Goal
from programs.models import Program
from seekers.models import Seeker

from . import statuses


class ReferralQuerySet(TenantQuerySet):
    def restrict(self, user, action: str = "view"):
        """The referrals ``user`` may use for ``action`` ("view", "view:all", "refer", "refer:all",
        "refer:by_state", "receive", ...): the rule book (referrals.policies) picks how they are found."""
        from .policies import restrict_referrals

        return restrict_referrals(self, user, action)._scoped()


# The columns of a referral that the organization report reads (besides its key and date), kept in its two
# covering indexes below; ``version`` is what the report's kept figures are checked by (reports.selectors.KeptFigures).
REPORT_COLUMNS = [
    "id",
    "public_id",
    "status",
    "status_reason",
    "seeker_outcome",
    "program_outcome",
    "organization",
    "program",
    "referred_by",
    "referred_by_team",
    "first_response_at",
    "closed_at",
    "stall_due_at",
    "answer_channel",
    "version",
]
# The columns that lists of the ids a user was granted filter and sort those ids by (Sent referrals, the API list),
# kept beside the id in ``referral_lists_by_id``.
LIST_COLUMNS = [
    "sent_at",
    "status",
    "status_reason",
    "first_response_at",
    "stall_due_at",
    "closed_at",
    "updated_at",
    "program",
    "seeker",
]
# Inbound Referrals' order: urgent first (then the oldest, then by id). An expression of its own so that the index
# that keeps each program's open referrals in this order (``referral_inbound_open``) and the page's query say the
# same thing, as PostgreSQL needs to read the one in the order of the other.
URGENT_FIRST = models.Case(
    models.When(urgency=statuses.Urgency.URGENT, then=models.Value(0)),
    default=models.Value(1),
    output_field=models.IntegerField(),
)


class Referral(models.Model):
    """One seeker referred to one program, with its status, consent, outcomes and history."""

    Status = statuses.Status
    Reason = statuses.Reason
    Urgency = statuses.Urgency

    class ConsentMethod(models.TextChoices):
        VERBAL = "verbal", "Verbal"
        WRITTEN = "written", "Written"
        ELECTRONIC = "electronic", "Electronic"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="outbound_referrals",
        help_text="The organization the referrer acted for; for a self-referral, the program's (it keeps the seeker).",
    )
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="referrals")
    seeker = models.ForeignKey(Seeker, on_delete=models.PROTECT, related_name="referrals")
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals_made",
        help_text="Empty for a self-referral: the seeker asked the program on the public directory.",
    )
    referred_by_team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="referrals"
    )
    on_behalf_of_program = models.ForeignKey(
        Program,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals_sent",
        help_text="Set when a claimer made the referral for their program.",
    )
    comment = models.TextField(blank=True, help_text="Made at the time of referral; shared with the program.")
    # The program's intake questions as they were asked, each with its answer (programs.intake): kept as asked so
    # that a later edit of the questions does not rewrite them; erased with the seeker's other data.
    intake_answers = models.JSONField(
        default=list,
        # A database default too: processes of the previous release insert referrals without this column.
        db_default=models.Value([], output_field=models.JSONField()),
        blank=True,
    )
    urgency = models.CharField(max_length=10, choices=statuses.Urgency.choices, default=statuses.Urgency.ROUTINE)

    status = models.CharField(max_length=24, choices=statuses.Status.choices, default=statuses.Status.SENT)
    status_reason = models.CharField(max_length=32, choices=statuses.Reason.choices, blank=True)
    holds_slot = models.BooleanField(
        default=False,
        db_default=False,
        help_text="Took one of the program's open slots when accepted; closing gives it back (programs.capacity).",
    )
    version = models.PositiveIntegerField(default=1, help_text="Raised by every change; stale writers are refused.")

    consent_given_at = models.DateTimeField(null=True, blank=True)
    consent_method = models.CharField(max_length=12, choices=ConsentMethod.choices, blank=True)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    consent_withdrawn_at = models.DateTimeField(null=True, blank=True)

    goal = models.ForeignKey(Goal, on_delete=models.SET_NULL, null=True, blank=True, related_name="referrals")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="assigned_referrals"
    )
    replaced_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaces",
        help_text="The new referral when this one was withdrawn as referred elsewhere, or declined as forwarded.",
    )
    forwarded_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="forwards",
        help_text="The referral a program forwarded to make this one (it closed as declined, forwarded).",
    )

    # Each party's own last word on the outcome, kept beside the status so a disagreement shows.
    seeker_outcome = models.CharField(max_length=24, choices=statuses.Status.choices, blank=True)
    seeker_outcome_at = models.DateTimeField(null=True, blank=True)
    program_outcome = models.CharField(max_length=24, choices=statuses.Status.choices, blank=True)
    program_outcome_at = models.DateTimeField(null=True, blank=True)
    referrer_outcome = models.CharField(max_length=24, choices=statuses.Status.choices, blank=True)
    referrer_outcome_at = models.DateTimeField(null=True, blank=True)

    sent_at = models.DateTimeField(default=timezone.now)
    first_response_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    # The channel of the seeker's latest answer ("" until one is given; referrals.channels): kept by
    # referral_change_status with the history line that records the answer, which stays the definition.
    answer_channel = models.CharField(max_length=16, blank=True, default="", db_default="")
    # When the current status, unconfirmed, counts as stalled (referrals.stalls): set by every status change
    # and confirmation to one of statuses.STALLABLE, empty otherwise. ``stall_step`` is how many stall periods
    # the sweep has chased since (0: none yet).
    stall_due_at = models.DateTimeField(null=True, blank=True)
    stall_step = models.PositiveSmallIntegerField(default=0)

    objects_across_tenants = models.Manager()
    objects = TenantManager.from_queryset(ReferralQuerySet)()

    class Meta:
        default_manager_name = "objects_across_tenants"
        ordering = ["-sent_at"]
        permissions = [
            ("act_as_referrer", "Act on the referral as its referrer"),
            ("act_as_claimer", "Act on the referral as the program"),
            ("administer_referral", "Act on the referral as an organization admin"),
        ]
        constraints = [
            # Open is "not closed yet" (closed_at is set by every close and cleared by a reopen, and the check
            # below holds them together). The unique index says it as closed_at IS NULL, not as the list of open
            # statuses: PostgreSQL tests a partial index's condition against every query of the table, and
            # proving an IN list of six against a query's ORs of IN lists took 18 of the 22 ms it spent planning
            # the Sent referrals page's query (bench/NOTES.md, issue 18).
            models.UniqueConstraint(
                fields=["seeker", "program"],
                condition=Q(closed_at__isnull=True),
                name="one_open_referral_per_seeker_and_program",
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True, status__in=sorted(statuses.OPEN))
                | (Q(closed_at__isnull=False) & ~Q(status__in=sorted(statuses.OPEN))),
                name="referral_closed_at_exactly_when_closed",
            ),
        ]
        indexes = [
            # Inbound Referrals' page, chosen from the index only (its order reads the urgency; the id is what
            # it chooses): migration 0019.
            models.Index(
                fields=["program", "status", "sent_at"], include=["urgency", "id"], name="referral_inbound_page"
            ),
            # Each program's open referrals in Inbound Referrals' order, so that its first page reads the first
            # rows of each program the claimer works, however many are open (core.pagination.ids_by_parts;
            # migration 0022). Open is said as "not closed" (closed_at IS NULL), as the constraint above says it.
            models.Index(
                models.F("program"),
                URGENT_FIRST,
                models.F("sent_at"),
                models.F("id"),
                include=["urgency"],
                condition=Q(closed_at__isnull=True),
                name="referral_inbound_open",
            ),
            # What an organization sent, and what a program received, by date: covering, with every column
            # the organization report's figures read, so that it reads a period's referrals from the index
            # only, not from as many table pages (reports.selectors.OrganizationFigures). The first also
            # serves every other outbound list (it replaced ``referral_outbound``, the same key uncovered; referrals
            # 0017). Both hold the referrals' versions since referrals 0020.
            models.Index(
                fields=["organization", "sent_at"],
                include=[column for column in REPORT_COLUMNS if column != "organization"],
                name="referral_sent_report",
            ),
            models.Index(
                fields=["program", "sent_at"],
                include=[column for column in REPORT_COLUMNS if column != "program"],
                name="referral_received_report",
            ),
            models.Index(fields=["seeker", "sent_at"], name="referral_by_seeker"),
            models.Index(fields=["status", "sent_at"], name="referral_by_status"),
            # Lists gather the ids a user was granted, filter them and take the newest: what they filter and sort
            # by read from this index, not from each referral's page (the API list for a claimer of 20,000: 151 to
            # 82 ms at 1M referrals; Sent referrals' attention view for the benchmark helper's 4,953: 42 to 22 ms,
            # referrals 0021).
            models.Index(fields=["id"], include=LIST_COLUMNS, name="referral_lists_by_id"),
            # A provider's People I'm Helping groups the referrals to the claimer's programs by seeker: covering,
            # so that PostgreSQL reads the index only (people.selectors.people_referred_to_programs).
            models.Index(
                fields=["program"],
                include=["seeker", "status", "updated_at", "consent_given_at", "consent_withdrawn_at", "id"],
                name="referral_received_people",
            ),
            # The stall sweep reads only the referrals whose stall is due.
            models.Index(fields=["stall_due_at"], condition=Q(stall_due_at__isnull=False), name="referral_stall_due"),
        ]

    def __str__(self):
        return f"{self.seeker} → {self.program}"

    @property
    def is_closed(self) -> bool:
        return statuses.is_closed(self.status)

    @property
    def forwarded_to(self):
        """The referral this one was forwarded to (declined as forwarded), or None."""
        return self.replaced_by if self.status_reason == statuses.Reason.FORWARDED else None

    @property
    def is_self_referral(self) -> bool:
        """The seeker asked the program themselves (the public directory's "Ask them to contact me"): nobody
        referred them, and no organization sent it."""
        return self.referred_by_id is None

    @property
    def has_consent(self) -> bool:
        return self.consent_given_at is not None and self.consent_withdrawn_at is None


class ReferralUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Referral, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        # unique_together (user, permission, content_object) is the index the visibility filter uses.
        indexes = [models.Index(fields=["content_object", "permission"], name="referral_user_grant_by_object")]


class ReferralGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Referral, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        indexes = [
            models.Index(fields=["content_object", "permission"], name="referral_grant_by_object"),
        ]


class Note(models.Model):
    """A plain-text note on a referral. Never edited; deleting it leaves an event, not the text."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    author_display = models.CharField(max_length=200)
    author_organization = models.CharField(max_length=255, blank=True)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects_across_tenants = models.Manager()
    objects = TenantManager()

    class Meta:
        default_manager_name = "objects_across_tenants"
        ordering = ["-created_at"]

    def __str__(self):
        return f"Note by {self.author_display}"


class ReferralEventQuerySet(TenantQuerySet):
    def restrict(self, user, action: str = "view"):
        """The events of the referrals ``user`` may see (referrals.policies.restrict_events)."""
        from .policies import restrict_events

        return restrict_events(self, user, action)._scoped()


def seeker_answer_q() -> Q:
    """History lines that record one of the seeker's answers: a status change to got help, couldn't get help
    or no longer interested, made by the seeker or by staff on the seeker's side (a program's word on the
    outcome is the program's, not the seeker's answer). Also the condition of the index that finds them."""
    answers = Q()
    for status, reason in statuses.SEEKER_ANSWERS.values():
        answers |= Q(to_status=str(status), reason=str(reason))
    parties = [statuses.Party.SEEKER.value, statuses.Party.REFERRER.value, statuses.Party.ADMIN.value]
    return Q(kind="status_changed") & answers & Q(detail__party__in=parties)


class ReferralEvent(models.Model):
    """One append-only line of a referral's history."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        STATUS_CHANGED = "status_changed", "Status changed"
        REOPENED = "reopened", "Reopened"
        NOTE_ADDED = "note_added", "Note added"
        NOTE_DELETED = "note_deleted", "Note deleted"
        CONSENT_GIVEN = "consent_given", "Consent given"
        CONSENT_WITHDRAWN = "consent_withdrawn", "Consent withdrawn"
        GOAL_CHANGED = "goal_changed", "Goal changed"
        ASSIGNMENT_CHANGED = "assignment_changed", "Assignment changed"
        EMAIL_SENT = "email_sent", "Email sent"
        EMAIL_LINK_USED = "email_link_used", "Email link used"
        TEXT_SENT = "text_sent", "Text sent"
        TEXT_REPLY = "text_reply", "Text reply"
        TEXTS_STOPPED = "texts_stopped", "Texts stopped (STOP)"
        TEXTS_RESUMED = "texts_resumed", "Texts resumed (START)"
        STALLED = "stalled", "Stalled"
        STATUS_CONFIRMED = "status_confirmed", "Status confirmed"

    class Via(models.TextChoices):
        WEB = "web", "Web"
        EMAIL_LINK = "email_link", "Email link"
        TEXT = "text", "Text message"
        SIGNED_IN = "signed_in", "Seeker signed in (My referrals)"
        SELF_REFERRAL = "self_referral", "Seeker's self-referral"
        API = "api", "API"
        FHIR = "fhir", "FHIR"
        ADMIN = "admin", "Admin"
        SYSTEM = "system", "System"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_display = models.CharField(max_length=200)
    actor_organization = models.CharField(max_length=255, blank=True)
    via = models.CharField(max_length=16, choices=Via.choices, default=Via.WEB)
    from_status = models.CharField(max_length=24, choices=statuses.Status.choices, blank=True)
    to_status = models.CharField(max_length=24, choices=statuses.Status.choices, blank=True)
    reason = models.CharField(max_length=32, choices=statuses.Reason.choices, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)

    objects_across_tenants = models.Manager()
    objects = TenantManager.from_queryset(ReferralEventQuerySet)()

    class Meta:
        default_manager_name = "objects_across_tenants"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["referral", "-created_at"], name="event_by_referral"),
            # The seeker's latest answer on each referral (referrals.channels.answer_channel), read by the reports
            # for every referral of a period: a small index of the answers alone (about 1 history line in 20),
            # so that a referral without an answer costs one probe that finds nothing, and one with an answer is
            # read from the index (referrals 0014).
            models.Index(
                fields=["referral", "-created_at", "-id"],
                include=["via", "detail"],
                condition=seeker_answer_q(),
                name="event_seeker_answer",
            ),
        ]
        # Append-only in the database too: the application cannot rewrite or remove history (PostgreSQL).
        triggers = [pgtrigger.Protect(name="protect_history", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self):
        return f"{self.get_kind_display()} by {self.actor_display}"


# History lines that record a delivery (an email or a text sent: referrals.services.referral_record_delivery), not a
# change to the referral: by channel, and as a set (the history hides them until asked; Inbound's page cache and the
# reports counted ahead let them pass).
DELIVERY_EVENT_KINDS = {"email": ReferralEvent.Kind.EMAIL_SENT, "text": ReferralEvent.Kind.TEXT_SENT}
DELIVERY_KINDS = frozenset(DELIVERY_EVENT_KINDS.values())


class EscalationStep(models.Model):
    """One automatic step taken on a referral: reminders while nobody answers, expiry, the follow-up question.

    Referral workflow state (referrals.sweeps takes the steps; channels are told through referrals.events).
    The unique constraint makes each step happen at most once.
    """

    class Step(models.TextChoices):
        CLAIMER_REMINDER = "claimer_reminder", "Reminder to the claimers"
        ADMIN_ESCALATION = "admin_escalation", "Escalated to the program's organization admins"
        REFERRER_ESCALATION = "referrer_escalation", "Escalated to the referrer"
        EXPIRED = "expired", "Closed as expired with no response"
        FOLLOW_UP = "follow_up", "Seeker asked whether they got help"

    referral = models.ForeignKey("referrals.Referral", on_delete=models.CASCADE, related_name="escalation_steps")
    step = models.CharField(max_length=24, choices=Step.choices)
    taken_at = models.DateTimeField(default=timezone.now)
    skipped = models.BooleanField(
        default=False, help_text="A later step was already due, so this one was recorded without sending."
    )

    class Meta:
        ordering = ["taken_at"]
        constraints = [models.UniqueConstraint(fields=["referral", "step"], name="one_escalation_step_per_referral")]

    def __str__(self):
        when = "skipped" if self.skipped else self.taken_at.strftime("%Y-%m-%d %H:%M")
        return f"{self.get_step_display()} ({when})"


class ScorecardProgramCount(models.Model):
    """The network scorecard's kept counts by program (referrals.kept): the referrals sent in one block of days
    to one program, entered-in-error ones left out, with how many were answered, closed each way the scorecard
    shows, and answered by the seeker on each channel.

    A block is ``2**level`` days starting on ``first_day`` (levels 0 to kept.TOP_LEVEL, aligned on kept.EPOCH):
    every referral counts once at each level, so any period of whole days is summed from a few blocks per
    level. Changed only by referrals.kept, in the transaction of the change it counts."""

    level = models.PositiveSmallIntegerField()
    first_day = models.DateField()
    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    referrals = models.IntegerField(default=0)
    answered = models.IntegerField(default=0)
    got_help = models.IntegerField(default=0)
    no_capacity = models.IntegerField(default=0)
    not_eligible = models.IntegerField(default=0)
    answered_by_email_link = models.IntegerField(default=0)
    answered_by_text = models.IntegerField(default=0)
    answered_by_signed_in = models.IntegerField(default=0)
    answered_by_staff = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["level", "first_day", "program"], name="scorecard_program_count_key"),
        ]
        # Covering: the scorecard reads a period's blocks from this index alone (PostgreSQL; SQLite skips it).
        indexes = [
            models.Index(
                fields=["level", "first_day"],
                include=[
                    "program",
                    "referrals",
                    "answered",
                    "got_help",
                    "no_capacity",
                    "not_eligible",
                    "answered_by_email_link",
                    "answered_by_text",
                    "answered_by_signed_in",
                    "answered_by_staff",
                ],
                name="scorecard_program_count_read",
            ),
        ]


class ScorecardZipCount(models.Model):
    """The network scorecard's kept counts by category and the seeker's zip code (referrals.kept): as
    ScorecardProgramCount, for each category of the program (``category_id`` 0: a program without one)."""

    level = models.PositiveSmallIntegerField()
    first_day = models.DateField()
    category_id = models.IntegerField(help_text="programs.Category; 0 for a program with no category.")
    zip_code = models.CharField(max_length=10, blank=True)
    referrals = models.IntegerField(default=0)
    got_help = models.IntegerField(default=0)
    no_capacity = models.IntegerField(default=0)
    not_eligible = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["level", "first_day", "category_id", "zip_code"], name="scorecard_zip_count_key"
            ),
        ]
        indexes = [
            models.Index(
                fields=["level", "first_day"],
                include=["category_id", "zip_code", "referrals", "got_help", "no_capacity", "not_eligible"],
                name="scorecard_zip_count_read",
            ),
        ]
