from django import forms
from django.contrib import admin

from core.admin import AppendOnlyAdminMixin

from . import statuses
from .actors import Actor, Via
from .errors import DuplicateOpenReferral, ReferralError, StaleReferral
from .models import EscalationStep, Note, Referral, ReferralEvent
from .services import referral_change_status, referral_reopen


class ReferralEventInline(admin.TabularInline):
    """The history, read-only: events are appended by services, never edited."""

    model = ReferralEvent
    extra = 0
    can_delete = False
    ordering = ["-created_at", "-id"]
    fields = ["created_at", "actor_display", "actor_organization", "kind", "from_status", "to_status", "reason", "via"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class NoteInline(admin.TabularInline):
    model = Note
    extra = 0
    can_delete = False
    fields = ["created_at", "author_display", "author_organization", "body"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReferralAdminForm(forms.ModelForm):
    """The status change is made while the form is checked, through the service, so a refusal is shown on
    the form (and the admin never says "changed successfully" for a change that was not made)."""

    new_status = forms.ChoiceField(
        choices=[("", "— keep —"), ("reopen", "Reopen (closed referrals)"), *statuses.Status.choices],
        required=False,
        help_text="Changed through the same rules as everywhere else; recorded in the history.",
    )
    reason = forms.ChoiceField(choices=[("", "—"), *statuses.Reason.choices], required=False)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    # The version the page showed: a change made meanwhile by someone else is not overwritten.
    expected_version = forms.IntegerField(
        widget=forms.HiddenInput, error_messages={"required": "Open the referral again before changing it."}
    )
    acting_user = None  # set by ReferralAdmin.get_form for the request

    class Meta:
        model = Referral
        fields: list = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        new_status = cleaned.get("new_status")
        if not new_status or self.errors:
            return cleaned
        actor = Actor.for_user(self.acting_user, via=Via.ADMIN)
        note, version = cleaned.get("note", ""), cleaned["expected_version"]
        try:
            if new_status == "reopen":
                self.instance = referral_reopen(
                    actor=actor, referral=self.instance, note=note, expected_version=version
                )
            else:
                self.instance = referral_change_status(
                    actor=actor,
                    referral=self.instance,
                    to_status=new_status,
                    reason=cleaned.get("reason", ""),
                    note=note,
                    expected_version=version,
                )
        except StaleReferral as error:
            # The page now shows the referral as it is; posting again applies the change to that version.
            self.data = self.data.copy()
            self.data[self.add_prefix("expected_version")] = str(error.current.version)
            raise forms.ValidationError(f"Status not changed: {error.message}") from None
        except DuplicateOpenReferral as error:
            raise forms.ValidationError(
                f"Status not changed: {error.message} (referral {error.existing.public_id})"
            ) from None
        except ReferralError as error:
            raise forms.ValidationError(f"Status not changed: {error.message}") from None
        return cleaned


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    form = ReferralAdminForm
    list_display = ["public_id", "seeker", "program", "organization", "status", "urgency", "sent_at"]
    list_filter = ["status", "urgency"]
    search_fields = ["public_id", "seeker__last_name", "seeker__first_name", "program__name", "organization__name"]
    list_select_related = ["seeker", "program", "organization"]
    show_full_result_count = False
    date_hierarchy = None
    readonly_fields = [
        "public_id",
        "organization",
        "program",
        "seeker",
        "referred_by",
        "referred_by_team",
        "on_behalf_of_program",
        "comment",
        "urgency",
        "status",
        "status_reason",
        "version",
        "consent_given_at",
        "consent_method",
        "consent_recorded_by",
        "consent_withdrawn_at",
        "goal",
        "assigned_to",
        "replaced_by",
        "seeker_outcome",
        "program_outcome",
        "referrer_outcome",
        "sent_at",
        "first_response_at",
        "closed_at",
        "updated_at",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "public_id",
                    "organization",
                    "program",
                    "seeker",
                    "referred_by",
                    "referred_by_team",
                    "on_behalf_of_program",
                    "comment",
                    "urgency",
                ]
            },
        ),
        ("Status", {"fields": ["status", "status_reason", "version", "new_status", "reason", "note"]}),
        ("Outcomes", {"fields": ["seeker_outcome", "program_outcome", "referrer_outcome"]}),
        ("Consent", {"fields": ["consent_given_at", "consent_method", "consent_recorded_by", "consent_withdrawn_at"]}),
        ("Links", {"fields": ["goal", "assigned_to", "replaced_by"]}),
        ("Dates", {"fields": ["sent_at", "first_response_at", "closed_at", "updated_at"]}),
    ]
    inlines = [NoteInline, ReferralEventInline]

    def has_add_permission(self, request):
        # Referrals are made from a seeker's profile or the API, where consent and duplicates are checked.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)  # a new class on every call
        form.acting_user = request.user
        return form

    def save_model(self, request, obj, form, change):
        # The status change was made by the service while the form was checked (ReferralAdminForm.clean).
        return None

    def save_related(self, request, form, formsets, change):
        # Inlines are read-only; nothing to save (the admin's history message still reads these lists).
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


@admin.register(ReferralEvent)
class ReferralEventAdmin(AppendOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "referral",
        "kind",
        "actor_display",
        "actor_organization",
        "from_status",
        "to_status",
        "via",
    ]
    list_filter = ["kind", "via"]
    list_select_related = ["referral", "referral__seeker", "referral__program"]
    search_fields = ["referral__public_id", "actor_display"]
    show_full_result_count = False


@admin.register(EscalationStep)
class EscalationStepAdmin(admin.ModelAdmin):
    """The automatic steps taken on referrals (referrals.sweeps): read-only."""

    list_display = ["referral", "step", "taken_at", "skipped"]
    list_filter = ["step", "skipped"]
    fields = ["referral", "step", "taken_at", "skipped"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
