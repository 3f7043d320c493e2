"""Admin building blocks shared by the apps, and the project's admin site."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.decorators import method_decorator

from core.ratelimit import ratelimit


class SiteAdmin(admin.AdminSite):
    """Django's admin site, whose sign-in has the main sign-in's limits: the same per-address rate limit
    (here) and django-axes' lockout of an (account, address) pair (its authentication backend, which every
    sign-in form goes through)."""

    @method_decorator(ratelimit("sign_in", methods=("POST",)))
    def login(self, request, extra_context=None):
        return super().login(request, extra_context)


class SiteAdminConfig(AdminConfig):
    default_site = "referrals_site.admin.SiteAdmin"


class ReadOnlyAdminMixin:
    """Rows that only services write: shown in the admin, never added or edited there (outboxes: core.admin)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AppendOnlyAdminMixin(ReadOnlyAdminMixin):
    """Records that are never changed nor deleted (history, access records)."""

    def has_delete_permission(self, request, obj=None):
        return False
