"""The project's admin site: Django's, with the sign-in protected as the main sign-in is. The admin building
blocks the apps share are in core.admin."""

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
    default_site = "security.admin_site.SiteAdmin"
