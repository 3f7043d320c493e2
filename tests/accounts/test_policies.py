"""The organizations' rule book (accounts.policies): who administers an organization, and the roles the
navigation shows."""

import pytest

from accounts import policies
from accounts.models import User
from accounts.services import organization_team_create
from core.errors import NotAllowed
from reports import policies as report_policies
from webhooks import policies as webhook_policies

# person -> (administers Northside, manages its webhooks, reads its report, roles)
TABLE = {
    "site_admin": (True, True, True, {"worker", "admin"}),
    "referrer": (False, False, False, {"worker"}),
    "provider_admin": (False, False, False, {"admin", "claimer"}),  # an admin of another organization
    "claimer": (False, False, False, {"claimer"}),
    "outsider_admin": (False, False, False, {"worker", "admin"}),
}


@pytest.mark.parametrize("person", TABLE)
def test_the_rule_book_answers_each_person_about_an_organization(network, person):
    user = getattr(network, person)
    administers, webhooks, report, roles = TABLE[person]
    assert policies.can(user, "administer", network.site) is administers
    assert webhook_policies.can(user, "manage_webhooks", network.site) is webhooks
    assert (network.site in report_policies.reported_organizations(user)) is report
    assert policies.roles_of(user) == roles
    assert not report_policies.can(user, "see_network_scorecard")
    if not administers:
        with pytest.raises(NotAllowed, match="Only an admin of Northside Health Center can manage"):
            organization_team_create(actor=user, organization=network.site, name="Outreach")


def test_a_network_admin_administers_every_organization_but_reads_reports_in_the_scorecard(network):
    admin = User.objects.create_superuser(email="root@network.example", password="x" * 12)
    assert policies.can(admin, "administer", network.site) and policies.can(admin, "administer", network.provider)
    assert webhook_policies.can(admin, "manage_webhooks", network.provider)
    assert report_policies.can(admin, "see_network_scorecard")
    assert report_policies.reported_organizations(admin) == []
    assert {"superuser", "worker", "claimer"} <= policies.roles_of(admin)


def test_a_switched_off_admin_administers_nothing(network):
    network.site_admin.is_active = False
    assert not policies.can(network.site_admin, "administer", network.site)


@pytest.mark.parametrize("person", TABLE)
def test_the_roles_are_read_in_one_query(network, person, django_assert_num_queries):
    """Every signed-in page's navigation asks: memberships and the programs' claimers in one query."""
    user = getattr(network, person)
    with django_assert_num_queries(1):
        assert policies.roles_of(user) == TABLE[person][3]


def test_an_admin_who_also_works_at_a_provider_works_its_referrals(network):
    from accounts.services import membership_set

    membership_set(user=network.site_admin, organization=network.provider, role="worker")
    assert "claimer" in policies.roles_of(network.site_admin)
    assert "claimer" not in policies.roles_of(network.referrer)
