"""Only the organization's admins (and network admins) open its Organization pages; everybody else is refused,
sees nothing of it, and changes nothing."""

import pytest
from django.test import Client

from accounts.models import Membership, Team, TeamMembership
from programs.models import Program, ProgramClaimer
from tests import factories

from .conftest import login, text, url

pytestmark = pytest.mark.django_db


def requests(network):
    """Every page and action of the Organization area, for Northside (a site) and City Food Bank (a provider)."""
    site, team, program = network.site.public_id, network.sharing_team.public_id, network.program.public_id
    referrer, claimer = network.referrer.public_id, network.claimer.public_id
    provider = network.provider.public_id
    return [
        ("get", url("organization_members", organization_id=site), {}),
        (
            "post",
            url("organization_members", organization_id=site),
            {"email": "new@example.org", "first_name": "N", "last_name": "P", "role": "admin"},
        ),
        ("post", url("organization_member_role", organization_id=site, user_id=referrer), {"role": "admin"}),
        ("get", url("organization_member_remove", organization_id=site, user_id=referrer), {}),
        ("post", url("organization_member_remove", organization_id=site, user_id=referrer), {}),
        ("post", url("organization_member_invite_again", organization_id=site, user_id=referrer), {}),
        ("get", url("organization_teams", organization_id=site), {}),
        ("post", url("organization_teams", organization_id=site), {"name": "Mine", "shares_outbound": "on"}),
        ("post", url("organization_team_rename", organization_id=site, team_id=team), {"name": "Mine"}),
        ("post", url("organization_team_sharing", organization_id=site, team_id=team), {"shares_outbound": "off"}),
        (
            "post",
            url("organization_team_member_add", organization_id=site, team_id=team),
            {"email": network.private_worker.email},
        ),
        ("post", url("organization_team_member_remove", organization_id=site, team_id=team, user_id=referrer), {}),
        ("get", url("organization_programs", organization_id=provider), {}),
        ("post", url("organization_program_claimer_add", program_id=program), {"email": network.provider_admin.email}),
        ("post", url("organization_program_claimer_remove", program_id=program, user_id=claimer), {}),
        ("post", url("organization_program_sharing", program_id=program), {"shares_outbound": "on"}),
    ]


def state():
    return (
        sorted(Membership.objects.values_list("organization_id", "user_id", "role")),
        sorted(Team.objects.values_list("pk", "name", "shares_outbound")),
        sorted(TeamMembership.objects.values_list("team_id", "user_id")),
        sorted(ProgramClaimer.objects.values_list("program_id", "user_id")),
        sorted(Program.objects_across_tenants.values_list("pk", "shares_outbound")),
    )


# Who must be refused, and how: a member of the organization without the right gets 403 (the organization
# is theirs to know of), anyone else 404 (it might as well not exist).
OUTSIDERS = {
    "referrer": (403, 404),  # a worker of Northside; nothing at City Food Bank
    "claimer": (404, 404),  # claims a City Food Bank program but is not its admin, nor a member of either
    "outsider_admin": (404, 404),  # the admin of another tenant
    "provider_admin": (404, None),  # admin of City Food Bank: Northside's pages are not theirs (own: allowed)
}


@pytest.mark.parametrize("person", OUTSIDERS)
def test_people_without_the_right_are_refused_and_see_nothing(network, person):
    client = login(getattr(network, person))
    site_answer, provider_answer = OUTSIDERS[person]
    before = state()
    for method, path, data in requests(network):
        expected = provider_answer if ("/programs/" in path) else site_answer
        if expected is None:
            continue
        answer = getattr(client, method)(path, data)
        assert answer.status_code == expected, f"{person} {method.upper()} {path}: {answer.status_code}"
        body = text(answer)
        for secret in (network.private_worker.email, "Care Navigation", "Priya Shah", "Sam Okafor"):
            assert secret not in body, f"{person} {method.upper()} {path} shows {secret}"
    assert state() == before


def test_a_member_of_the_provider_who_is_not_its_admin_gets_403_on_its_programs(network):
    tom = factories.worker(network.provider, first_name="Tom", last_name="Reyes")
    before = state()
    client = login(tom)
    for method, path, data in requests(network):
        if "/programs/" in path:
            answer = getattr(client, method)(path, data)
            assert answer.status_code == 403 and "Sam Okafor" not in text(answer)
    assert state() == before


def test_anonymous_people_are_sent_to_sign_in(network):
    before = state()
    client = Client()
    for method, path, data in [*requests(network), ("get", url("organization"), {})]:
        answer = getattr(client, method)(path, data)
        assert answer.status_code == 302 and answer["Location"].startswith("/accounts/login/")
    assert state() == before


def test_non_admins_have_no_organization_page(network):
    for person in ("referrer", "claimer", "outsider"):
        assert login(getattr(network, person)).get(url("organization")).status_code == 404


def test_changes_need_the_csrf_token(network):
    client = Client(enforce_csrf_checks=True)
    client.force_login(network.site_admin)
    answer = client.post(
        url("organization_member_role", organization_id=network.site.public_id, user_id=network.referrer.public_id),
        {"role": "admin"},
    )
    assert answer.status_code == 403
    assert Membership.objects.get(user=network.referrer, organization=network.site).role == Membership.Role.WORKER


def test_a_network_admin_may_manage_any_organization(network):
    root = factories.UserFactory(is_superuser=True, is_staff=True)
    client = login(root)
    assert client.get(url("organization_members", organization_id=network.other_site.public_id)).status_code == 200
    answer = client.post(
        url(
            "organization_team_sharing", organization_id=network.site.public_id, team_id=network.private_team.public_id
        ),
        {"shares_outbound": "on"},
    )
    assert answer.status_code == 302
    network.private_team.refresh_from_db()
    assert network.private_team.shares_outbound
