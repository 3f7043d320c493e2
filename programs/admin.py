from django.contrib import admin

from . import services
from .models import Category, Program, ProgramClaimer


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class ProgramClaimerInline(admin.TabularInline):
    model = ProgramClaimer
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "zip_code", "accepts_referrals", "capacity_available",
                    "expected_response_hours"]
    list_filter = ["accepts_referrals", "categories", "shares_outbound", "round_robin_assignment"]
    search_fields = ["name", "organization__name", "zip_code", "hsds_id"]
    list_select_related = ["organization"]
    autocomplete_fields = ["organization"]
    filter_horizontal = ["categories"]
    inlines = [ProgramClaimerInline]
    readonly_fields = ["public_id", "created_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        fields = {f.name: getattr(obj, f.name) for f in Program._meta.concrete_fields
                  if f.name not in {"id", "public_id", "organization", "name", "group", "created_at", "updated_at"}}
        created = services.program_create(organization=obj.organization, name=obj.name, **fields)
        obj.pk, obj.group, obj.public_id = created.pk, created.group, created.public_id

    def save_formset(self, request, form, formset, change):
        for removed in formset.deleted_forms:
            if removed.instance.pk:
                services.program_remove_claimer(program=form.instance, user=removed.instance.user)
        for row in formset.forms:
            if row in formset.deleted_forms or not row.has_changed() or not row.cleaned_data.get("user"):
                continue
            services.program_add_claimer(program=form.instance, user=row.cleaned_data["user"])
