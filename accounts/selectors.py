from django.db.models import Case, When

from .models import Membership, Organization, TeamMembership


def organization_display_for(user, *, program_id=None) -> str:
    """The organization a history line names for ``user``.

    The Site's name for a worker on a Site, the Program's name for a claimer, and for someone who is
    both, the one they joined first. A claimer of several programs is named by ``program_id`` (the program
    of the referral they act on) when they claim it, else by the program they joined first.
    """
    from programs.models import ProgramClaimer

    site = (
        Membership.objects.filter(user=user, organization__runs_site=True)
        .select_related("organization")
        .order_by("joined_at")
        .first()
    )
    claim = (
        ProgramClaimer.objects.filter(user=user)
        .select_related("program")
        .order_by(Case(When(program_id=program_id, then=0), default=1), "joined_at")
        .first()
    )
    if site and claim:
        return site.organization.name if site.joined_at <= claim.joined_at else claim.program.name
    if site:
        return site.organization.name
    if claim:
        return claim.program.name
    other = Membership.objects.filter(user=user).select_related("organization").order_by("joined_at").first()
    if other:
        return other.organization.name
    return "Network admin" if user.is_superuser else ""


def organizations_of(user):
    return Organization.objects.filter(memberships__user=user)


def admin_organization_ids(user):
    return Membership.objects.filter(user=user, role=Membership.Role.ADMIN).values("organization_id")


def member_organization_ids(user):
    return Membership.objects.filter(user=user).values("organization_id")


def teams_of(user, organization=None):
    memberships = TeamMembership.objects.filter(user=user).select_related("team").order_by("joined_at")
    if organization is not None:
        memberships = memberships.filter(team__organization=organization)
    return [membership.team for membership in memberships]


def is_organization_admin(user, organization) -> bool:
    return Membership.objects.filter(user=user, organization=organization, role=Membership.Role.ADMIN).exists()
