"""Broad rights checked before a view runs. Per-object rights stay in the services (NotAllowed -> 403)."""

from rest_framework.permissions import BasePermission

from accounts.models import Membership


class IsOrganizationAdmin(BasePermission):
    """Organization admins only (the CSV export of their organization's referrals)."""

    message = "Only an organization admin can export referrals."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated
                    and Membership.objects.filter(user=user, role=Membership.Role.ADMIN).exists())
