"""Thin serializers: they shape input and output; rules stay in the services and selectors."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.errors import InvalidInput
from core.text import clean_text
from goals.models import Goal
from programs.models import IntakeQuestion, Program
from programs.selectors import program_questions
from referrals import stalls
from referrals.channels import ActorType, Channel, event_actor_type, event_channel
from referrals.models import Note, Referral, ReferralEvent
from referrals.policies import referral_on_seeker_side, seeker_contact_visible_to
from referrals.services import COMMENT_MAX_LENGTH, NOTE_MAX_LENGTH
from referrals.statuses import Reason, Status, Urgency
from seekers.models import Seeker
from seekers.validation import WHY_ASKED, normalize_languages, normalize_phone, normalize_zip

QUERY_MAX_LENGTH = 200


class ErrorSerializer(serializers.Serializer):
    """A refusal that does not concern one field."""

    detail = serializers.CharField()
    code = serializers.CharField(required=False)


class SeekerCandidateSerializer(serializers.Serializer):
    """A person the organization already helps who is likely the one being added."""

    id = serializers.UUIDField()
    first_name = serializers.CharField()
    last_name = serializers.CharField(allow_blank=True)
    date_of_birth = serializers.DateField(allow_null=True)
    zip_code = serializers.CharField(allow_blank=True)
    why = serializers.CharField(help_text="What matched: same email, same phone, similar name and ...")


class ConflictSerializer(ErrorSerializer):
    """409: the change conflicts with the referral's current state, or a new seeker is likely a duplicate."""

    current_version = serializers.IntegerField(required=False, help_text="Set when `version` was stale.")
    existing = serializers.UUIDField(required=False, help_text="The open referral a duplicate would repeat.")
    candidates = SeekerCandidateSerializer(
        many=True,
        required=False,
        help_text="A new seeker (code `likely_duplicate`): the likely matches you may open. Send "
        "`confirm_new: true` to add the person anyway.",
    )
    hidden_candidates = serializers.IntegerField(
        required=False, help_text="A new seeker: how many more likely matches you may not open."
    )


# --- auth ---------------------------------------------------------------------------------------------


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})
    otp = serializers.CharField(
        max_length=16,
        required=False,
        allow_blank=True,
        help_text="A code from the authenticator app (or a recovery code): required for "
        "people with two-factor sign-in and for organization admins.",
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(
        help_text="Send it as `Authorization: Token <token>`. Shown once: only its hash is kept."
    )
    expiry = serializers.DateTimeField(
        help_text="When the token stops working (API_TOKEN_TTL_HOURS after it was issued; use does not extend it)."
    )


# --- programs -----------------------------------------------------------------------------------------


class QuerySerializer(serializers.Serializer):
    """A query string's parameters. DRF reads a query string as a form, where a field left empty counts as left
    out; here a parameter named but empty (``?program=``) is refused like any other value that is not one, unless
    its field allows blank (a search's words). The refusal is the API's 400 on that parameter."""

    def to_internal_value(self, data):
        errors = {
            name: [f"Give a value for {name}, or leave it out."]
            for name, field in self.fields.items()
            if hasattr(data, "get") and data.get(name, None) == "" and not getattr(field, "allow_blank", False)
        }
        if errors:
            raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class ProgramSearchSerializer(QuerySerializer):
    """The query string of GET /programs/."""

    zip = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=10,
        help_text="Five digits; ZIP+4 is accepted and searched by its five digits.",
    )
    radius_miles = serializers.FloatField(required=False, min_value=0.1, max_value=500)
    category = serializers.SlugField(required=False, allow_blank=True, max_length=120)
    q = serializers.CharField(required=False, allow_blank=True, max_length=QUERY_MAX_LENGTH)
    accepting = serializers.BooleanField(required=False, allow_null=True, default=None)
    seeker = serializers.UUIDField(
        required=False,
        help_text="A seeker you help: each program then carries `eligibility` (verdict and reasons) for them. "
        "A seeker you may not see answers 404.",
    )

    def validate_zip(self, value):
        try:
            return normalize_zip(value)
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from None

    def validate(self, attrs):
        if attrs.get("radius_miles") and not attrs.get("zip"):
            raise serializers.ValidationError({"radius_miles": ["A radius needs a zip code."]})
        return attrs


class EligibilityVerdictSerializer(serializers.Serializer):
    """programs.eligibility's verdict on a program for the seeker searched for (`seeker=`)."""

    kind = serializers.ChoiceField(choices=["likely", "check", "not_eligible"])
    label = serializers.CharField(help_text="Likely eligible, Check eligibility or Not eligible.")
    reasons = serializers.ListField(
        child=serializers.CharField(),
        help_text='Why not eligible ("age 17, program serves ages 18+"), or what to check ("income not recorded").',
    )


class ProgramSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    organization = serializers.CharField(source="organization.name", read_only=True)
    categories = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")
    languages = serializers.ListField(child=serializers.CharField(), read_only=True)
    eligibility_attributes = serializers.ListField(child=serializers.CharField(), read_only=True)
    service_area_zip_codes = serializers.ListField(child=serializers.CharField(), read_only=True)
    distance_miles = serializers.SerializerMethodField()
    required_documents = serializers.ListField(child=serializers.CharField(), read_only=True)
    waitlist = serializers.BooleanField(
        source="on_waitlist",
        read_only=True,
        help_text="No open slot left (capacity_available is 0): a new referral waits for one.",
    )
    eligibility_verdict = serializers.SerializerMethodField()
    # Plain strings: these may be empty, which an "email"/"uri" format would refuse.
    email = serializers.CharField(read_only=True)
    website = serializers.CharField(read_only=True)

    class Meta:
        model = Program
        fields = [
            "id",
            "name",
            "organization",
            "description",
            "categories",
            "eligibility",
            "min_age",
            "max_age",
            "eligibility_attributes",
            "languages",
            "address",
            "city",
            "state",
            "zip_code",
            "latitude",
            "longitude",
            "service_area_zip_codes",
            "service_radius_miles",
            "income_limit_percent_of_poverty",
            "required_documents",
            "eligibility_verdict",
            "phone",
            "email",
            "website",
            "schedule",
            "accepts_referrals",
            "capacity_available",
            "capacity_maximum",
            "capacity_updated_at",
            "counts_slots",
            "waitlist",
            "next_steps",
            "next_steps_es",
            "expected_response_hours",
            "distance_miles",
        ]
        read_only_fields = fields

    @extend_schema_field(
        serializers.FloatField(allow_null=True, help_text="Miles from the searched zip code's centre.")
    )
    def get_distance_miles(self, program):
        distance = getattr(program, "distance_miles", None)
        return round(distance, 2) if distance is not None else None

    @extend_schema_field(EligibilityVerdictSerializer(allow_null=True))
    def get_eligibility_verdict(self, program):
        verdict = getattr(program, "verdict", None)
        if verdict is None:
            return None
        return {"kind": verdict.kind, "label": str(verdict.label), "reasons": list(verdict.reasons)}


class IntakeQuestionSerializer(serializers.Serializer):
    """One of a program's intake questions (programs.intake), as the Connect form asks it."""

    id = serializers.UUIDField(help_text="Give the answer to this question under this id in a referral's `answers`.")
    kind = serializers.ChoiceField(choices=IntakeQuestion.Kind.choices)
    required = serializers.BooleanField()
    text = serializers.CharField()
    text_es = serializers.CharField(allow_blank=True, help_text="The Spanish wording; empty when none was given.")
    help = serializers.CharField(allow_blank=True)
    help_es = serializers.CharField(allow_blank=True)
    choices = serializers.ListField(
        child=serializers.CharField(), help_text="For one_choice and several_choices: answer with these values."
    )
    choices_es = serializers.ListField(
        child=serializers.CharField(), help_text="The same choices in Spanish, in the same order (may be empty)."
    )


class IntakeAnswerSerializer(IntakeQuestionSerializer):
    """A question as it was asked when the referral was made, with its answer."""

    id = serializers.UUIDField(help_text="The question's id (it may since have been changed or removed).")
    answer = serializers.JSONField(
        allow_null=True,
        help_text="Text (short_text, long_text, one_choice: the English choice, date: YYYY-MM-DD), a boolean "
        "(yes_no), a list of choices (several_choices), a number, or null when it was not answered.",
    )


class ProgramDetailSerializer(ProgramSerializer):
    """A program with its intake questions (GET /programs/{id}/)."""

    questions = serializers.SerializerMethodField()

    class Meta(ProgramSerializer.Meta):
        fields = [*ProgramSerializer.Meta.fields, "questions"]
        read_only_fields = fields

    @extend_schema_field(IntakeQuestionSerializer(many=True))
    def get_questions(self, program):
        return program_questions(program)


class ProgramSummarySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    organization = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = Program
        fields = ["id", "name", "organization"]
        read_only_fields = fields


# --- seekers and goals --------------------------------------------------------------------------------


class SeekerSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    organization = serializers.UUIDField(
        source="organization.public_id",
        required=False,
        help_text="Only on creation, and only needed when you work at several sites: one of your own.",
    )
    zip_code = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=10,
        help_text="Five digits; ZIP+4 is accepted and stored as its five digits.",
    )
    # A plain string in the schema, since it may be empty; validated as an address when given.
    email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    phone = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=30,
        help_text="Ten digits (a leading 1 is dropped); stored as the digits alone.",
    )
    household_size = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=30, help_text=WHY_ASKED["household_size"]
    )
    monthly_income = serializers.DecimalField(
        required=False,
        allow_null=True,
        max_digits=9,
        decimal_places=2,
        min_value=0,
        max_value=1_000_000,
        help_text=WHY_ASKED["monthly_income"],
    )
    languages = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        max_length=20,
        help_text=WHY_ASKED["languages"] + " Sent as codes or English names; answered as codes.",
    )
    confirm_new = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="Only on creation. Without it, a likely match already in your organization (same email or "
        "phone, or a close name with the same date of birth or zip code) answers 409 with the "
        "`candidates`; send `true` when this is someone else.",
    )

    class Meta:
        model = Seeker
        fields = [
            "id",
            "organization",
            "first_name",
            "last_name",
            "date_of_birth",
            "zip_code",
            "email",
            "phone",
            "preferred_language",
            "contact_preference",
            "household_size",
            "monthly_income",
            "languages",
            "confirm_new",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    def validate_first_name(self, value):
        return _plain_text(value, required=True)

    def validate_last_name(self, value):
        return _plain_text(value)

    def validate_email(self, value):
        value = value.strip()
        if value:
            try:
                validate_email(value)
            except DjangoValidationError:
                raise serializers.ValidationError("Enter a valid email address.") from None
        return value

    def validate_zip_code(self, value):
        try:
            return normalize_zip(value)
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from None

    def validate_phone(self, value):
        try:
            return normalize_phone(value)
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from None

    def validate_languages(self, value):
        try:
            return normalize_languages(value)
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from None

    def validate_date_of_birth(self, value):
        if value is not None and (value > timezone.localdate() or value < date(1900, 1, 1)):
            raise serializers.ValidationError("Enter a date of birth between 1900 and today.")
        return value

    def validate_organization(self, value):
        if self.instance is not None:
            raise serializers.ValidationError("A seeker's organization cannot be changed.")
        return value


class GoalSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    title = serializers.CharField(max_length=200)

    class Meta:
        model = Goal
        fields = ["id", "title", "status", "created_at", "closed_at"]
        read_only_fields = ["id", "status", "created_at", "closed_at"]

    def validate_title(self, value):
        return _plain_text(value, required=True)


# --- referrals ----------------------------------------------------------------------------------------


def _blankable(choices):
    return serializers.ChoiceField(choices=choices.choices, allow_blank=True, read_only=True)


class SeekerOnReferralSerializer(serializers.Serializer):
    """What a referral shares about its seeker: the name always; contact details to the seeker's side, and to
    the program's side while consent holds (the rule book: referrals.policies.seeker_contact_visible_to)."""

    id = serializers.UUIDField(source="public_id")
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    email = serializers.CharField(allow_blank=True)
    phone = serializers.CharField(allow_blank=True)
    preferred_language = serializers.CharField()
    contact_preference = serializers.CharField()

    def for_referral(self, referral) -> dict:
        """The seeker of ``referral`` as ``context["user"]`` may see them. One instance serves every row of a
        list (a serializer per row bound and copied its seven fields again: a third of the list's time)."""
        data = super().to_representation(referral.seeker)
        if not seeker_contact_visible_to(self.context["user"], referral):
            data.update(email="", phone="")
        return data

    def to_representation(self, seeker):
        raise TypeError("Use for_referral(referral): which contact details show depends on the referral.")


class ReferralSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    seeker = serializers.SerializerMethodField()
    program = ProgramSummarySerializer(read_only=True)
    organization = serializers.CharField(
        source="organization.name",
        read_only=True,
        help_text="The organization the referrer acted for; for a self-referral, the program's organization (it "
        "keeps the seeker's record).",
    )
    referred_by = serializers.CharField(
        source="referred_by.short_name",
        read_only=True,
        allow_null=True,
        help_text="Who made the referral; null for a self-referral.",
    )
    self_referral = serializers.BooleanField(
        source="is_self_referral",
        read_only=True,
        help_text="True when the seeker asked the program themselves on the public directory (nobody referred them).",
    )
    assigned_to = serializers.SerializerMethodField()
    goal = serializers.SerializerMethodField()
    replaced_by = serializers.SerializerMethodField()
    forwarded_to = serializers.SerializerMethodField(
        help_text="The referral this one was forwarded to (it closed as declined, forwarded); null otherwise."
    )
    forwarded_from = serializers.SerializerMethodField(
        help_text="The referral a program forwarded to make this one; null otherwise."
    )
    on_behalf_of_program = ProgramSummarySerializer(
        read_only=True,
        allow_null=True,
        help_text="The program the referral was made for by one of its claimers (its claimers see and work it "
        "when the program shares its outbound referrals); null for a referral made for oneself.",
    )
    answers = serializers.SerializerMethodField(
        help_text="The program's intake questions as they were asked when the referral was made, with the answers."
    )
    stalled_since = serializers.SerializerMethodField(
        help_text="When the referral's status, unconfirmed, outlived the program's stall period (it counts as "
        "stalled since then); null when it is not stalled."
    )
    # Declared so the schema says they may be empty (ModelSerializer drops allow_blank on read-only fields).
    status_reason = _blankable(Reason)
    consent_method = _blankable(Referral.ConsentMethod)
    seeker_outcome = _blankable(Status)
    program_outcome = _blankable(Status)
    referrer_outcome = _blankable(Status)

    class Meta:
        model = Referral
        fields = [
            "id",
            "seeker",
            "program",
            "organization",
            "referred_by",
            "self_referral",
            "comment",
            "urgency",
            "status",
            "status_reason",
            "version",
            "consent_given_at",
            "consent_method",
            "consent_withdrawn_at",
            "goal",
            "assigned_to",
            "replaced_by",
            "forwarded_to",
            "forwarded_from",
            "on_behalf_of_program",
            "seeker_outcome",
            "seeker_outcome_at",
            "program_outcome",
            "program_outcome_at",
            "referrer_outcome",
            "referrer_outcome_at",
            "sent_at",
            "first_response_at",
            "closed_at",
            "updated_at",
            "stalled_since",
            "answers",
        ]
        read_only_fields = fields

    @extend_schema_field(IntakeAnswerSerializer(many=True))
    def get_answers(self, referral):
        return list(referral.intake_answers or [])

    @cached_property
    def _seeker(self) -> SeekerOnReferralSerializer:
        return SeekerOnReferralSerializer(context={"user": self.context["request"].user})

    @extend_schema_field(SeekerOnReferralSerializer)
    def get_seeker(self, referral):
        return self._seeker.for_referral(referral)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_assigned_to(self, referral):
        return referral.assigned_to.short_name if referral.assigned_to_id else None

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_goal(self, referral):
        """The seeker's goal: only for the seeker's side (the program's side does not see their goals)."""
        if not referral.goal_id or not referral_on_seeker_side(self.context["request"].user, referral):
            return None
        return str(referral.goal.public_id)

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_stalled_since(self, referral):
        since = stalls.stalled_since(referral, now=self._now)
        return serializers.DateTimeField().to_representation(since) if since else None

    @cached_property
    def _now(self):
        return timezone.now()

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_replaced_by(self, referral):
        return str(referral.replaced_by.public_id) if referral.replaced_by_id else None

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_forwarded_to(self, referral):
        forwarded_to = referral.forwarded_to
        return str(forwarded_to.public_id) if forwarded_to is not None else None

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_forwarded_from(self, referral):
        return str(referral.forwarded_from.public_id) if referral.forwarded_from_id else None


class ReferralFilterSerializer(QuerySerializer):
    """The query string of GET /referrals/."""

    status = serializers.ChoiceField(choices=Status.choices, required=False)
    program = serializers.UUIDField(required=False)
    direction = serializers.ChoiceField(choices=[("inbound", "inbound"), ("outbound", "outbound")], required=False)


class ReferralCreateSerializer(serializers.Serializer):
    seeker = serializers.UUIDField()
    program = serializers.UUIDField()
    comment = serializers.CharField(required=False, allow_blank=True, max_length=COMMENT_MAX_LENGTH, default="")
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.ROUTINE)
    consent = serializers.BooleanField(help_text="Must be true: the seeker agreed to share their details.")
    consent_method = serializers.ChoiceField(
        choices=Referral.ConsentMethod.choices, default=Referral.ConsentMethod.ELECTRONIC
    )
    goal = serializers.UUIDField(required=False, allow_null=True, default=None)
    on_behalf_of_program = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text="A program you claim: the referral is made on its behalf (its claimers see and work it when it "
        "shares its outbound referrals). Leave out to refer for yourself.",
    )
    answers = serializers.DictField(
        child=serializers.JSONField(allow_null=True),
        required=False,
        default=dict,
        help_text="The answers to the program's intake questions (its `questions` in GET /programs/{id}/), by "
        "question id: text, true/false (yes_no), a choice's English wording (one_choice), a list of them "
        "(several_choices), a number, or YYYY-MM-DD (date). A wrong or missing required answer is a 400 "
        '`{"answers": {"<question id>": ["<why>"]}}`.',
    )

    def validate_consent(self, value):
        if value is not True:
            raise serializers.ValidationError("Record the person's consent to share their details with the program.")
        return value

    def validate_comment(self, value):
        return _plain_text(value)


class ReferralForwardSerializer(serializers.Serializer):
    """POST /referrals/{id}/forward/: a claimer sends the referral on to another program."""

    program = serializers.UUIDField(help_text="The program to forward to (another one, accepting referrals).")
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=COMMENT_MAX_LENGTH,
        default="",
        help_text="Shared with the new program.",
    )
    consent = serializers.BooleanField(
        help_text="Must be true: the seeker agreed to share their details with the new program."
    )
    consent_method = serializers.ChoiceField(
        choices=Referral.ConsentMethod.choices, default=Referral.ConsentMethod.ELECTRONIC
    )
    answers = serializers.DictField(
        child=serializers.JSONField(allow_null=True),
        required=False,
        default=dict,
        help_text="The answers to the new program's intake questions, by question id, as on referral create.",
    )

    def validate_consent(self, value):
        if value is not True:
            raise serializers.ValidationError(
                "Record the person's consent to share their details with the new program."
            )
        return value

    def validate_comment(self, value):
        return _plain_text(value)


class ReferralUpdateSerializer(serializers.Serializer):
    """PATCH /referrals/{id}/: only the goal changes here; status has its own endpoint.

    Both fields are required: this PATCH is not a partial update. drf-spectacular describes every PATCH body as
    partial (it sets ``partial`` on the serializer), which told clients ``goal`` and ``version`` were optional;
    ``partial`` is fixed to False here so the schema says what the view requires."""

    @property
    def partial(self) -> bool:
        return False

    @partial.setter
    def partial(self, value) -> None:
        pass  # DRF's and drf-spectacular's "partial=True" do not apply

    goal = serializers.UUIDField(allow_null=True, help_text="One of the seeker's goals, or null to remove it.")
    version = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, help_text="The version you read; a stale one answers 409."
    )

    def validate(self, attrs):
        extra = set(self.initial_data) - set(self.fields) if isinstance(self.initial_data, dict) else set()
        if extra:
            raise serializers.ValidationError({name: ["This field cannot be changed here."] for name in sorted(extra)})
        return attrs


class StatusChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)
    reason = serializers.ChoiceField(choices=Reason.choices, required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_MAX_LENGTH, default="")
    version = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, help_text="The version you read; a stale one answers 409."
    )
    replaced_by = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text="With the reason `referred_elsewhere`: the same seeker's referral that replaces this one.",
    )

    def validate_note(self, value):
        return _plain_text(value)


class NoteSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    body = serializers.CharField(max_length=NOTE_MAX_LENGTH, help_text="Plain text.")

    class Meta:
        model = Note
        fields = ["id", "body", "author_display", "author_organization", "created_at"]
        read_only_fields = ["id", "author_display", "author_organization", "created_at"]

    def validate_body(self, value):
        return _plain_text(value, required=True)


class EventSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    at = serializers.DateTimeField(source="created_at", read_only=True)
    from_status = _blankable(Status)
    to_status = _blankable(Status)
    reason = _blankable(Reason)
    channel = serializers.SerializerMethodField(
        help_text="How the change arrived: `via`, except that the seeker on their own page reads `signed_in` "
        "(a staff member on the web reads `web`)."
    )
    actor_type = serializers.SerializerMethodField(
        help_text="Who made the change: a user (named in `actor_display`), the seeker, or the system."
    )

    @extend_schema_field(serializers.ChoiceField(choices=list(Channel.LABELS)))
    def get_channel(self, event) -> str:
        return event_channel(event)

    @extend_schema_field(serializers.ChoiceField(choices=[ActorType.USER, ActorType.SEEKER, ActorType.SYSTEM]))
    def get_actor_type(self, event) -> str:
        return event_actor_type(event)

    class Meta:
        model = ReferralEvent
        fields = [
            "id",
            "kind",
            "actor_display",
            "actor_organization",
            "from_status",
            "to_status",
            "reason",
            "via",
            "channel",
            "actor_type",
            "at",
        ]
        read_only_fields = fields


def _plain_text(value: str, *, required: bool = False) -> str:
    """core.text.clean_text for a serializer's ``validate_<field>``: its refusal as the field's error."""
    try:
        return clean_text(value, required=required, empty_message="This field may not be blank.")
    except InvalidInput as error:
        raise serializers.ValidationError(error.message, code=error.code) from None


class ExportQuerySerializer(QuerySerializer):
    organization = serializers.UUIDField(
        required=False, help_text="Needed only when you administer several organizations."
    )
