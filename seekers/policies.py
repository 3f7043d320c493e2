"""The rule book of seekers: whose profiles a person sees, and what they may do with one.

Which seekers: ``Seeker.objects.restrict(user, action)``. A helper sees the people they created, those of their
teams that share, and an organization admin every profile of the organization; the rule is an OR across
organization, creator and team.

| action      | the seekers                                        | plan                                           |
| ----------- | -------------------------------------------------- | ---------------------------------------------- |
| ``view``    | the person helps, narrowed next by an index (one    | the OR, tested row by row: the row comes first |
|             | public id, one seeker)                             |                                                |
| ``view:all``| the person helps, listed or counted whole (People   | ``pk IN (... UNION ALL ...)``, each branch from |
|             | I'm Helping)                                       | its own index (an OR scans every seeker)        |
"""

from __future__ import annotations

from django.db.models import Q

from accounts.models import Membership, TeamMembership
from accounts.policies import is_member, is_organization_admin
from core.policies import Rule, RuleBook


def _helped_by(user):
    member_of = Membership.objects.filter(user=user).values("organization_id")
    admin_of = Membership.objects.filter(user=user, role=Membership.Role.ADMIN).values("organization_id")
    sharing_teams = TeamMembership.objects.filter(user=user, team__shares_outbound=True).values("team_id")
    return member_of, admin_of, sharing_teams


def restrict_seekers(queryset, user, action: str):
    """``queryset`` narrowed to the seekers ``user`` may use for ``action`` ("view", "view:all")."""
    if action not in ("view", "view:all"):
        raise ValueError(f"unknown seeker action {action!r}; one of view, view:all")
    if not user.is_authenticated:
        return queryset.none()
    member_of, admin_of, sharing_teams = _helped_by(user)
    if action == "view:all":
        from .models import Seeker

        seekers = Seeker.objects.unscoped("the branches of the visibility rule, each from its index").order_by()
        ids = (
            seekers.filter(organization_id__in=admin_of)
            .values("pk")
            .union(
                seekers.filter(organization_id__in=member_of, created_by=user).values("pk"),
                seekers.filter(organization_id__in=member_of, team_id__in=sharing_teams).values("pk"),
                all=True,
            )
        )
        return queryset.filter(pk__in=ids)
    return queryset.filter(
        Q(organization_id__in=admin_of)
        | (Q(organization_id__in=member_of) & (Q(created_by=user) | Q(team_id__in=sharing_teams)))
    )


def site_memberships(user):
    """The memberships of ``user`` at organizations that run a Site: where they may add the people they help,
    the first joined first."""
    return (
        Membership.objects.filter(user=user, organization__runs_site=True)
        .select_related("organization")
        .order_by("joined_at")
    )


def works_at_a_site(user) -> bool:
    return Membership.objects.filter(user=user, organization__runs_site=True).exists()


def referring_memberships(user):
    """The memberships from which ``user`` adds people and refers them: their Sites' (the first joined first);
    for someone who works at no Site, their organizations' (the claimers and workers of a provider-only
    organization refer from it too)."""
    sites = site_memberships(user)
    if sites.exists():
        return sites
    return Membership.objects.filter(user=user).select_related("organization").order_by("joined_at")


def works_at_an_organization(user) -> bool:
    return Membership.objects.filter(user=user).exists()


def _helps(user, seeker) -> bool:
    from .models import Seeker

    return Seeker.objects.restrict(user, "view").filter(pk=seeker.pk).exists()


rules = RuleBook(
    {
        # People I'm Helping (the list, and adding someone) is for the members of an organization: a Site's
        # helpers, and the claimers and workers of a provider, who refer people too. (The people referred to a
        # program are the referrals rule book's: referrals.policies.receives_referrals.)
        "use_people_pages": Rule(
            lambda user: user.is_superuser or works_at_an_organization(user),
            "People I'm Helping is for the members of an organization.",
        ),
        # A profile is added by a member of the organization it will belong to (a Site, or a provider whose
        # claimers refer people on).
        "add_seeker": Rule(
            lambda user, organization: Membership.objects.filter(user=user, organization=organization).exists(),
            "Only members of an organization can add the people they help there.",
        ),
        # Personal information and goals are changed by the people who help the person.
        "change": Rule(_helps, "You do not help this person."),
        # Other systems' ids for a person (an EHR's record number) are the organization's: any of its staff
        # records them, whoever keeps the profile (an EHR connected to the site names its patients by them).
        "record_identifiers": Rule(
            lambda user, seeker: is_member(user, seeker.organization),
            "Only the organization's own staff can record its identifiers.",
        ),
        # Who looked at the person, everything held about them, and erasure: the admins of their organization.
        "see_access_records": Rule(
            lambda user, seeker: is_organization_admin(user, seeker.organization),
            "Only an admin of the person's organization sees who looked at them.",
        ),
    }
)
can, check = rules.can, rules.check
