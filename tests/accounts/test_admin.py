"""The network admin's pages for organizations, people and teams: changes go through the services."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry

from accounts.models import Membership, Team, TeamMembership
from tests import factories
from tests.admin_forms import add_inline_row, network_admin, page_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(network_admin())
    return client


def team_url(team):
    return f"/admin/accounts/team/{team.pk}/change/"


def test_adding_someone_from_another_organization_to_a_team_says_why_not(admin_client, network):
    team = network.private_team
    data = page_data(admin_client.get(team_url(team)))
    add_inline_row(data, "memberships", user=network.outsider)

    response = admin_client.post(team_url(team), data)

    assert response.status_code == 200
    assert "is not a member of Northside Health Center" in response.content.decode()
    assert not TeamMembership.objects.filter(team=team, user=network.outsider).exists()
    assert not network.outsider.groups.filter(pk=team.group_id).exists()


def test_adding_a_member_of_the_organization_joins_the_team_and_its_group(admin_client, network):
    team = network.private_team
    data = page_data(admin_client.get(team_url(team)))
    add_inline_row(data, "memberships", user=network.referrer)

    response = admin_client.post(team_url(team), data)

    assert response.status_code == 302
    assert TeamMembership.objects.filter(team=team, user=network.referrer).exists()
    assert network.referrer.groups.filter(pk=team.group_id).exists()


def test_changing_a_row_to_another_person_takes_the_first_one_out(admin_client, network):
    team = network.private_team
    data = page_data(admin_client.get(team_url(team)))
    assert data["memberships-0-user"] == str(network.private_worker.pk)
    data["memberships-0-user"] = str(network.teammate.pk)

    assert admin_client.post(team_url(team), data).status_code == 302

    assert set(TeamMembership.objects.filter(team=team).values_list("user", flat=True)) == {network.teammate.pk}
    assert not network.private_worker.groups.filter(pk=team.group_id).exists()
    assert network.teammate.groups.filter(pk=team.group_id).exists()


def test_a_team_edit_goes_through_the_service_and_is_logged(admin_client, network):
    team = network.private_team
    data = page_data(admin_client.get(team_url(team)))
    data["shares_outbound"] = "on"
    data["name"] = "Front desk"
    data["organization"] = str(network.other_site.pk)  # read-only: ignored

    assert admin_client.post(team_url(team), data).status_code == 302

    team = Team.objects.get(pk=team.pk)
    assert (team.name, team.shares_outbound, team.organization_id) == ("Front desk", True, network.site.pk)
    entry = LogEntry.objects.get(object_id=str(team.pk), content_type__model="team")
    assert entry.action_flag == CHANGE
    assert "Shares outbound referrals" in entry.get_change_message()


def test_an_organization_edit_is_logged_and_keeps_its_admin_group(admin_client, network):
    url = f"/admin/accounts/organization/{network.site.pk}/change/"
    data = page_data(admin_client.get(url))
    data["name"] = "Northside Community Health"

    assert admin_client.post(url, data).status_code == 302

    network.site.refresh_from_db()
    assert network.site.name == "Northside Community Health"
    assert network.site_admin.groups.filter(pk=network.site.admin_group_id).exists()
    assert LogEntry.objects.filter(
        object_id=str(network.site.pk), content_type__model="organization", action_flag=CHANGE
    ).exists()


def test_groups_are_shown_but_cannot_be_changed_in_the_user_admin(admin_client, network):
    url = f"/admin/accounts/user/{network.referrer.pk}/change/"
    response = admin_client.get(url)
    page = response.content.decode()
    assert "access follows the person's memberships" in page
    assert network.sharing_team.group.name in page
    data = page_data(response)
    assert "groups" not in data
    data["groups"] = [str(network.site.admin_group_id)]
    data["first_name"] = "Mariana"

    assert admin_client.post(url, data).status_code == 302

    network.referrer.refresh_from_db()
    assert network.referrer.first_name == "Mariana"
    assert set(network.referrer.groups.values_list("pk", flat=True)) == {network.sharing_team.group_id}


def test_a_membership_cannot_be_moved_to_another_person(admin_client, network):
    membership = Membership.objects.get(user=network.teammate, organization=network.site)
    url = f"/admin/accounts/membership/{membership.pk}/change/"
    data = page_data(admin_client.get(url))
    data["user"] = str(network.outsider.pk)
    data["role"] = Membership.Role.ADMIN

    assert admin_client.post(url, data).status_code == 302

    membership.refresh_from_db()
    assert (membership.user_id, membership.role) == (network.teammate.pk, Membership.Role.ADMIN)
    assert not Membership.objects.filter(user=network.outsider, organization=network.site).exists()
    assert network.teammate.groups.filter(pk=network.site.admin_group_id).exists()


def test_the_team_add_page_refuses_a_stranger_without_an_error_page(admin_client, network):
    data = page_data(admin_client.get("/admin/accounts/team/add/"))
    data.update(name="Outreach", organization=str(network.site.pk))
    add_inline_row(data, "memberships", user=factories.UserFactory())

    response = admin_client.post("/admin/accounts/team/add/", data)

    assert response.status_code == 200
    assert "Add their membership to the organization first." in response.content.decode()
    assert not Team.objects.filter(name="Outreach").exists()
