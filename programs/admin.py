from functools import partial

from django import forms
from django.contrib import admin

from accounts.admin import save_people_inline

from . import services
from .forms import EligibilityForm
from .intake import MAX_QUESTIONS, clean_question
from .models import Category, IntakeQuestion, PovertyGuideline, Program, ProgramClaimer


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class ProgramClaimerInline(admin.TabularInline):
    model = ProgramClaimer
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["joined_at"]  # set by the service when the person becomes a claimer


class IntakeQuestionAdminForm(forms.ModelForm):
    """A question as on the listing's questions page: choices one a line, checked by programs.intake."""

    choices = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="One a line.")
    choices_es = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="The same in Spanish, one a line."
    )

    class Meta:
        model = IntakeQuestion
        fields = ["position", "text", "text_es", "kind", "required", "help", "help_es", "choices", "choices_es"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("choices", "choices_es"):
            self.initial[name] = "\n".join(getattr(self.instance, name) or [])

    def clean(self):
        cleaned_data = super().clean()
        values, errors = clean_question(cleaned_data)
        for name, message in errors.items():
            if name not in self.errors:
                self.add_error(name, message)
        cleaned_data.update({name: value for name, value in values.items() if name not in errors})
        return cleaned_data


class IntakeQuestionFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [
            form for form in self.forms if form not in self.deleted_forms and (form.instance.pk or form.has_changed())
        ]
        if len(kept) > MAX_QUESTIONS:
            raise forms.ValidationError(f"A program asks at most {MAX_QUESTIONS} questions.")


class IntakeQuestionInline(admin.StackedInline):
    model = IntakeQuestion
    form = IntakeQuestionAdminForm
    formset = IntakeQuestionFormSet
    extra = 0
    ordering = ["position", "id"]


class ProgramAdminForm(EligibilityForm, forms.ModelForm):
    """The admin's program form: the eligibility rules typed and checked as on the listing page."""

    website = forms.URLField(required=False, assume_scheme="https", max_length=200)

    class Meta:
        model = Program
        fields = "__all__"

    def clean(self):
        """The slots add up as on the listing page (programs.services.program_update)."""
        data = super().clean()
        available, maximum = data.get("capacity_available"), data.get("capacity_maximum")
        if available is not None and maximum is not None and available > maximum:
            self.add_error("capacity_available", "Open slots cannot be more than the maximum.")
        elif data.get("counts_slots") and available is None:
            self.add_error("capacity_available", "Say how many slots are open now, so that accepting can count them.")
        return data


@admin.register(PovertyGuideline)
class PovertyGuidelineAdmin(admin.ModelAdmin):
    """Read only: guidelines come from a file (manage.py load_poverty_guidelines), with their source."""

    list_display = ["year", "region", "first_person", "each_additional_person", "source", "loaded_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    form = ProgramAdminForm
    list_display = [
        "name",
        "organization",
        "zip_code",
        "accepts_referrals",
        "capacity_available",
        "expected_response_hours",
    ]
    list_filter = ["accepts_referrals", "counts_slots", "categories", "shares_outbound", "round_robin_assignment"]
    search_fields = ["name", "organization__name", "zip_code", "hsds_id"]
    list_select_related = ["organization"]
    autocomplete_fields = ["organization"]
    filter_horizontal = ["categories"]
    inlines = [ProgramClaimerInline, IntakeQuestionInline]
    readonly_fields = ["public_id", "created_at", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        # Referral grants went to the organization's admin group: a program never moves to another one.
        return [*self.readonly_fields, "organization"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            # Django's LogEntry records who changed what; only the changed fields are written.
            concrete = {field.name for field in Program._meta.concrete_fields}
            services.program_admin_update(
                program=obj, **{name: form.cleaned_data[name] for name in form.changed_data if name in concrete}
            )
            return
        fields = {
            f.name: getattr(obj, f.name)
            for f in Program._meta.concrete_fields
            if f.name not in {"id", "public_id", "organization", "name", "group", "created_at", "updated_at"}
        }
        created = services.program_create(organization=obj.organization, name=obj.name, **fields)
        obj.pk, obj.group, obj.public_id = created.pk, created.group, created.public_id

    def save_formset(self, request, form, formset, change):
        if formset.model is IntakeQuestion:
            # Through the service, as claimers save them: checked again and recorded in the program's history.
            rows = [
                row
                for row in formset.forms
                if row not in formset.deleted_forms and (row.instance.pk or row.has_changed())
            ]
            rows.sort(key=lambda row: row.cleaned_data.get("position") or 0)
            services.program_set_questions(
                actor=request.user,
                program=form.instance,
                questions=[
                    {
                        "id": str(row.instance.public_id) if row.instance.pk else None,
                        **{name: row.cleaned_data.get(name) for name in services.QUESTION_FIELDS},
                    }
                    for row in rows
                ],
            )
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            return
        save_people_inline(
            formset,
            add=partial(services.program_add_claimer, program=form.instance),
            remove=partial(services.program_remove_claimer, program=form.instance),
        )
