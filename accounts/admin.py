from functools import partial

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm as BaseUserChangeForm
from django.forms.models import BaseInlineFormSet

from . import services
from .models import Invitation, Membership, Organization, Team, TeamMembership, User

GROUPS_HELP_TEXT = (
    "Read-only: access follows the person's memberships (organization admins), teams and program claimers. "
    "Change those instead, and the groups follow."
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class UserChangeForm(BaseUserChangeForm):
    class Meta(BaseUserChangeForm.Meta):
        help_texts = {"groups": GROUPS_HELP_TEXT}  # shown beside the read-only field


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserChangeForm
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
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "first_name", "last_name", "password1", "password2")}),
    )
    # Groups carry the per-referral grants; editing them here would let access and memberships drift apart.
    readonly_fields = ["groups"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "runs_site", "is_active", "created_at"]
    list_filter = ["runs_site", "is_active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def save_model(self, request, obj, form, change):
        # Django's LogEntry records who changed what; the service decides what may change.
        if change:
            services.organization_update(
                organization=obj, **{name: form.cleaned_data[name] for name in form.changed_data}
            )
            return
        created = services.organization_create(
            name=obj.name, runs_site=obj.runs_site, slug=obj.slug, hsds_id=obj.hsds_id, description=obj.description
        )
        obj.pk, obj.admin_group = created.pk, created.admin_group


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "joined_at"]
    list_filter = ["role", "organization"]
    search_fields = ["user__email", "user__last_name", "organization__name"]
    list_select_related = ["user", "organization"]
    autocomplete_fields = ["user", "organization"]

    def get_readonly_fields(self, request, obj=None):
        # Moving a membership to another person or organization would leave the old one's groups behind.
        return ["user", "organization"] if obj else []

    def save_model(self, request, obj, form, change):
        # Through the service, so the organization's admin group follows the role.
        services.membership_set(user=obj.user, organization=obj.organization, role=obj.role, joined_at=obj.joined_at)

    def delete_model(self, request, obj):
        services.membership_remove(user=obj.user, organization=obj.organization)


class TeamMembershipFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        organization = self.instance.organization if self.instance.organization_id else None
        if organization is None:  # the team's own form has the error
            return
        for row in self.forms:
            user = row.cleaned_data.get("user") if hasattr(row, "cleaned_data") else None
            if user is None or self._should_delete_form(row) or "user" not in row.changed_data:
                continue
            if not Membership.objects.filter(user=user, organization=organization).exists():
                row.add_error(
                    "user",
                    forms.ValidationError(
                        f"{user.display_name} is not a member of {organization.name}. "
                        "Add their membership to the organization first."
                    ),
                )


class TeamMembershipInline(admin.TabularInline):
    model = TeamMembership
    formset = TeamMembershipFormSet
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["joined_at"]  # set by the service when the person joins


def save_people_inline(formset, *, add, remove) -> None:
    """Saves the rows of a team's members or a program's claimers through the services (``add(user=...)``,
    ``remove(user=...)``, which move the group with the row), and tells the admin's history what changed."""
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    for row in formset.initial_forms:
        if row in formset.deleted_forms or "user" in row.changed_data:
            # The form's instance already holds the newly chosen person; the row as stored names the old one.
            stored = type(row.instance)._default_manager.select_related("user").get(pk=row.instance.pk)
            remove(user=stored.user)
            formset.deleted_objects.append(stored)
    for row in formset.forms:
        if row in formset.deleted_forms or "user" not in row.changed_data or not row.cleaned_data.get("user"):
            continue
        formset.new_objects.append(add(user=row.cleaned_data["user"]))


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "shares_outbound"]
    list_filter = ["shares_outbound"]
    search_fields = ["name", "organization__name"]
    list_select_related = ["organization"]
    autocomplete_fields = ["organization"]
    inlines = [TeamMembershipInline]

    def get_readonly_fields(self, request, obj=None):
        # A team's members and the grants its group holds belong to its organization: it never moves.
        return ["organization"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            services.team_update(team=obj, **{name: form.cleaned_data[name] for name in form.changed_data})
            return
        created = services.team_create(
            organization=obj.organization, name=obj.name, shares_outbound=obj.shares_outbound
        )
        obj.pk, obj.group = created.pk, created.group

    def save_formset(self, request, form, formset, change):
        save_people_inline(
            formset,
            add=partial(services.team_add_member, team=form.instance),
            remove=partial(services.team_remove_member, team=form.instance),
        )


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations of existing accounts to join an organization: read only (admins send and cancel them on the
    Members page; the invitee accepts from the emailed link)."""

    list_display = ["email", "organization", "role", "created_at", "expires_at", "accepted_at", "cancelled_at"]
    list_filter = ["role"]
    list_select_related = ["organization"]
    search_fields = ["email", "organization__name"]
    fields = readonly_fields = [
        "public_id",
        "organization",
        "user",
        "email",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "cancelled_at",
        "cancelled_by",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
