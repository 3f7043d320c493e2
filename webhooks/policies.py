"""The rule book of webhooks: an organization's endpoints are managed by its admins (and by network admins, in
the Django admin); the webhook pages list the organizations the person is an admin of."""

from __future__ import annotations

from accounts import policies as organization_policies
from core.policies import Rule, RuleBook

rules = RuleBook(
    {
        "manage_webhooks": Rule(
            lambda user, organization: (
                user.is_superuser or organization_policies.is_organization_admin(user, organization)
            ),
            "Only an organization admin can manage its webhooks.",
        ),
    }
)
can, check = rules.can, rules.check


def webhook_organizations(user):
    """The organizations whose webhooks the pages offer ``user``: those they are an admin of."""
    return organization_policies.organizations_admin_of(user).order_by("name")
