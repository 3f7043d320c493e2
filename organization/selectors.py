"""Reads of the Organization pages: the members with their teams and claims, the programs with their
claimers (a fixed number of queries, whatever the number of rows)."""

from django.db.models import Prefetch

from accounts.models import Membership, TeamMembership
from programs.models import Program, ProgramClaimer


def organization_members(organization):
    """The organization's memberships with their people, the teams of this organization each person is in
    (``person.organization_teams``) and the programs of this organization they claim
    (``person.organization_claims``): a fixed number of queries, whatever the number of rows."""
    teams = TeamMembership.objects.filter(team__organization=organization).select_related("team").order_by("team__name")
    claims = (
        ProgramClaimer.objects.filter(program__organization=organization)
        .select_related("program")
        .order_by("program__name")
    )
    return (
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .prefetch_related(
            Prefetch("user__team_memberships", queryset=teams, to_attr="organization_teams"),
            Prefetch("user__claimer_memberships", queryset=claims, to_attr="organization_claims"),
        )
        .order_by("user__last_name", "user__first_name", "user_id")
    )


def organization_programs(organization):
    """The programs the organization provides, with their claimers (``program.claimer_rows``)."""
    claimers = ProgramClaimer.objects.select_related("user").order_by("user__last_name", "user__first_name", "pk")
    return (
        Program.objects.for_organization(organization)
        .prefetch_related(Prefetch("claimer_memberships", queryset=claimers, to_attr="claimer_rows"))
        .order_by("name", "pk")
    )
