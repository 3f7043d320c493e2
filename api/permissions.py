"""Broad rights checked before a view runs, asked of the rule books (per-object rights: the services raise
NotAllowed -> 403)."""

from rest_framework.permissions import BasePermission

from accounts.policies import administers_any


class IsOrganizationAdmin(BasePermission):
    """Organization admins only (the CSV export of their organization's referrals)."""

    message = "Only an organization admin can export referrals."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and administers_any(user))
