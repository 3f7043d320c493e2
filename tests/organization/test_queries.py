"""The Organization pages run a fixed number of queries, however many members, teams or claimers there are."""

import pytest

from accounts.models import Membership
from accounts.services import team_add_member
from programs.services import program_add_claimer
from tests import factories

from .conftest import url

pytestmark = pytest.mark.django_db


def _count(client, path, django_assert_max_num_queries):
    with django_assert_max_num_queries(200) as captured:
        assert client.get(path).status_code == 200
    return len(captured.captured_queries)


def test_the_members_page_does_not_grow_with_members(network, site_admin, django_assert_max_num_queries):
    path = url("organization_members", organization_id=network.site.public_id)
    few = _count(site_admin, path, django_assert_max_num_queries)
    for number in range(12):
        factories.worker(
            network.site,
            team=network.private_team if number % 2 else network.sharing_team,
            role=Membership.Role.ADMIN if number % 5 == 0 else Membership.Role.WORKER,
        )
    with django_assert_max_num_queries(few):
        assert site_admin.get(path).status_code == 200


def test_a_providers_members_page_does_not_grow_with_claims(network, provider_admin, django_assert_max_num_queries):
    path = url("organization_members", organization_id=network.provider.public_id)
    few = _count(provider_admin, path, django_assert_max_num_queries)
    for _ in range(8):
        person = factories.worker(network.provider)
        program_add_claimer(program=network.program, user=person)
        program_add_claimer(program=network.other_program, user=person)
    with django_assert_max_num_queries(few):
        assert provider_admin.get(path).status_code == 200


def test_the_teams_page_does_not_grow_with_teams_or_members(network, site_admin, django_assert_max_num_queries):
    path = url("organization_teams", organization_id=network.site.public_id)
    few = _count(site_admin, path, django_assert_max_num_queries)
    for _ in range(6):
        team = factories.TeamFactory(organization=network.site)
        for _ in range(3):
            team_add_member(team=team, user=factories.worker(network.site))
    with django_assert_max_num_queries(few):
        assert site_admin.get(path).status_code == 200


def test_the_programs_page_does_not_grow_with_programs_or_claimers(
    network, provider_admin, django_assert_max_num_queries
):
    path = url("organization_programs", organization_id=network.provider.public_id)
    few = _count(provider_admin, path, django_assert_max_num_queries)
    for _ in range(6):
        program = factories.ProgramFactory(organization=network.provider)
        for _ in range(3):
            program_add_claimer(program=program, user=factories.worker(network.provider))
    with django_assert_max_num_queries(few):
        assert provider_admin.get(path).status_code == 200
