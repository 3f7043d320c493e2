"""The rule book of reports: an organization's report is for its admins; the network scorecard for network
admins."""

from __future__ import annotations

from core.policies import Rule, RuleBook
from core.statements import Statement

rules = RuleBook(
    {
        "see_network_scorecard": Rule(lambda user: user.is_superuser, "The network scorecard is for network admins."),
    }
)
can, check = rules.can, rules.check


def _admin_memberships(user):
    from accounts.models import Membership

    return (
        Membership.objects.filter(user=user, role=Membership.Role.ADMIN)
        .select_related("organization")
        .order_by("organization__name", "organization_id")
    )


# Compiled once per process (core.statements): building and compiling the queryset took ~0.3 ms a report.
_ADMIN_MEMBERSHIPS = Statement("the organizations a user is an admin of, by name", _admin_memberships)


def reported_organizations(user) -> list:
    """The organizations whose report ``user`` may read (those they are an admin of), by name."""
    return [membership.organization for membership in _ADMIN_MEMBERSHIPS(user=user.pk)]
