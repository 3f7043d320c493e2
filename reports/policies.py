"""The rule book of reports: an organization's report is for its admins; the network scorecard for network
admins."""

from __future__ import annotations

from core.policies import Rule, RuleBook

rules = RuleBook(
    {
        "see_network_scorecard": Rule(lambda user: user.is_superuser, "The network scorecard is for network admins."),
    }
)
can, check = rules.can, rules.check


def reported_organizations(user) -> list:
    """The organizations whose report ``user`` may read (those they are an admin of), by name."""
    from accounts.models import Membership

    memberships = (
        Membership.objects.filter(user=user, role=Membership.Role.ADMIN)
        .select_related("organization")
        .order_by("organization__name", "organization_id")
    )
    return [membership.organization for membership in memberships]
