from django.utils import timezone

from .models import Invitation, Membership, Organization, Team, TeamMembership, User

# The rule book's answers, importable from here as before (accounts.policies decides them).
from .policies import (  # noqa: F401
    admin_organization_ids,
    can_administer,
    is_organization_admin,
    organizations_administered_by,
)


def organizations_of(user):
    return Organization.objects.filter(memberships__user=user)


def member_organization_ids(user):
    return Membership.objects.filter(user=user).values("organization_id")


def teams_of(user, organization=None):
    memberships = TeamMembership.objects.filter(user=user).select_related("team").order_by("joined_at")
    if organization is not None:
        memberships = memberships.filter(team__organization=organization)
    return [membership.team for membership in memberships]


# The Organization pages (organization admins).


def organization_administered_get(*, user, public_id) -> Organization:
    """Raises Organization.DoesNotExist for an organization ``user`` does not administer, as for a missing one."""
    return organizations_administered_by(user).get(public_id=public_id)


def organization_admin_ids(organization) -> list:
    """The user ids of the organization's admins."""
    return list(
        Membership.objects.filter(organization=organization, role=Membership.Role.ADMIN).values_list(
            "user_id", flat=True
        )
    )


def organization_membership(organization, user_public_id) -> Membership | None:
    """The membership of the person with that public id in ``organization``, with the person, or None."""
    return (
        Membership.objects.select_related("user")
        .filter(organization=organization, user__public_id=user_public_id)
        .first()
    )


def organization_member_people(organization):
    """Name and email of every member, for the lists to choose a person from."""
    return (
        User.objects.filter(memberships__organization=organization)
        .order_by("last_name", "first_name", "pk")
        .only("pk", "public_id", "email", "first_name", "last_name")
    )


def organization_member_by_email(organization, email: str):
    """The member of ``organization`` with that email address, or None (people of other organizations are
    never found here)."""
    return User.objects.filter(memberships__organization=organization, email__iexact=(email or "").strip()).first()


def organization_teams(organization):
    """The organization's teams with their members (``team.member_rows``, people included)."""
    from django.db.models import Prefetch

    members = TeamMembership.objects.select_related("user").order_by("user__last_name", "user__first_name", "pk")
    return (
        Team.objects.filter(organization=organization)
        .prefetch_related(Prefetch("memberships", queryset=members, to_attr="member_rows"))
        .order_by("name", "pk")
    )


def organization_invitations_open(organization):
    """The organization's invitations not yet accepted, cancelled or expired, newest first, with the people
    (one query)."""
    return (
        Invitation.objects.filter(
            organization=organization,
            accepted_at__isnull=True,
            cancelled_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("user", "invited_by")
        .order_by("-created_at", "-id")
    )


def organization_invitation(organization, public_id) -> Invitation | None:
    """One of the organization's invitations, in any state (another organization's: None)."""
    return (
        Invitation.objects.filter(organization=organization, public_id=public_id)
        .select_related("organization", "user")
        .first()
    )
