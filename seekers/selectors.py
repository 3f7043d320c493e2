from django.db.models import Q

from accounts.models import Membership, TeamMembership

from .models import Seeker


def seekers_visible_to(user):
    """Seekers ``user`` helps: their own, their sharing teams', and all of their organization's for admins."""
    if not user.is_authenticated:
        return Seeker.objects.none()._scoped()
    member_of = Membership.objects.filter(user=user).values("organization_id")
    admin_of = Membership.objects.filter(user=user, role=Membership.Role.ADMIN).values("organization_id")
    sharing_teams = TeamMembership.objects.filter(user=user, team__shares_outbound=True).values("team_id")
    return Seeker.objects.filter(
        Q(organization_id__in=admin_of)
        | (Q(organization_id__in=member_of) & (Q(created_by=user) | Q(team_id__in=sharing_teams)))
    )._scoped()
