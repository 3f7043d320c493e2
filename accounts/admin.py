from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from . import services
from .models import Membership, Organization, Team, TeamMembership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff", "last_login"]
    search_fields = ["email", "first_name", "last_name"]
    list_filter = ["is_active", "is_staff", "is_superuser"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("first_name", "last_name")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "first_name", "last_name",
                                                                "password1", "password2")}),)
    filter_horizontal = ["groups"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "runs_site", "created_at"]
    list_filter = ["runs_site"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        created = services.organization_create(name=obj.name, runs_site=obj.runs_site, slug=obj.slug)
        obj.pk, obj.admin_group = created.pk, created.admin_group


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "joined_at"]
    list_filter = ["role", "organization"]
    search_fields = ["user__email", "user__last_name", "organization__name"]
    list_select_related = ["user", "organization"]
    autocomplete_fields = ["user", "organization"]

    def save_model(self, request, obj, form, change):
        # Through the service, so the organization's admin group follows the role.
        services.membership_set(user=obj.user, organization=obj.organization, role=obj.role, joined_at=obj.joined_at)

    def delete_model(self, request, obj):
        services.membership_remove(user=obj.user, organization=obj.organization)


class TeamMembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "shares_outbound"]
    list_filter = ["shares_outbound"]
    search_fields = ["name", "organization__name"]
    list_select_related = ["organization"]
    autocomplete_fields = ["organization"]
    inlines = [TeamMembershipInline]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        created = services.team_create(organization=obj.organization, name=obj.name,
                                       shares_outbound=obj.shares_outbound)
        obj.pk, obj.group = created.pk, created.group

    def save_formset(self, request, form, formset, change):
        # Team membership and group membership move together through the services.
        for removed in formset.deleted_forms:
            if removed.instance.pk:
                services.team_remove_member(team=form.instance, user=removed.instance.user)
        for row in formset.forms:
            if row in formset.deleted_forms or not row.has_changed() or not row.cleaned_data.get("user"):
                continue
            services.team_add_member(team=form.instance, user=row.cleaned_data["user"])
