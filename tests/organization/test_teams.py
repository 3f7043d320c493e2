"""The Teams page: an organization admin creates teams, renames them, switches sharing and moves members."""

import pytest
from django.contrib.admin.models import LogEntry

from accounts.models import Team, TeamMembership
from referrals.models import Referral
from tests import factories

from .conftest import text, url

pytestmark = pytest.mark.django_db


def teams_url(organization):
    return url("organization_teams", organization_id=organization.public_id)


def team_url(name, team, **extra):
    return url(name, organization_id=team.organization.public_id, team_id=team.public_id, **extra)


def sees(user, referral) -> bool:
    return Referral.objects.restrict(user, "view:all").filter(pk=referral.pk).exists()


def test_it_lists_teams_with_members_and_sharing(network, site_admin):
    body = text(site_admin.get(teams_url(network.site)))
    assert "Care Navigation" in body and "Intake" in body
    assert "Maria Garcia" in body and "Priya Shah" in body
    assert "Shares outbound referrals" in body and "Does not share" in body
    assert "not the ones already made" in body  # sharing is not retroactive, and the page says so
    assert "Student Support" not in body


def test_creating_a_team(network, site_admin):
    answer = site_admin.post(teams_url(network.site), {"name": "  Outreach  ", "shares_outbound": "on"})
    team = Team.objects.get(organization=network.site, name="Outreach")
    assert answer.status_code == 302 and answer["Location"].endswith(f"#team-{team.public_id}")
    assert team.shares_outbound
    assert LogEntry.objects.filter(object_id=str(team.pk), content_type__model="team").exists()


@pytest.mark.parametrize(
    "name, message",
    [
        ("care navigation", "Northside Health Center already has a team called “care navigation”."),
        ("", "Give the team a name."),
        ("x" * 201, "Ensure this value has at most 200 characters"),
    ],
)
def test_a_bad_team_name_is_refused(network, site_admin, name, message):
    answer = site_admin.post(teams_url(network.site), {"name": name})
    assert answer.status_code == 400 and message in text(answer)
    assert Team.objects.filter(organization=network.site).count() == 2


def test_the_same_name_in_another_organization_is_fine(network, site_admin):
    factories.TeamFactory(organization=network.other_site, name="Outreach")
    assert site_admin.post(teams_url(network.site), {"name": "Outreach"}).status_code == 302


def test_renaming_a_team(network, site_admin):
    answer = site_admin.post(
        team_url("organization_team_rename", network.private_team), {"name": "Front desk"}, follow=True
    )
    assert "Renamed Intake to Front desk." in text(answer)
    network.private_team.refresh_from_db()
    assert network.private_team.name == "Front desk"


def test_renaming_to_another_teams_name_is_refused(network, site_admin):
    answer = site_admin.post(team_url("organization_team_rename", network.private_team), {"name": "Care Navigation"})
    assert answer.status_code == 400 and "already has a team called" in text(answer)
    network.private_team.refresh_from_db()
    assert network.private_team.name == "Intake"


def test_switching_sharing_on_applies_to_referrals_made_from_then_on(network, site_admin):
    colleague = factories.worker(network.site, team=network.private_team, first_name="Kai", last_name="Ng")
    before = network.refer(referrer=network.private_worker)
    answer = site_admin.post(
        team_url("organization_team_sharing", network.private_team), {"shares_outbound": "on"}, follow=True
    )
    assert "from now on" in text(answer) and "Referrals made before stay as they were" in text(answer)
    network.private_team.refresh_from_db()
    assert network.private_team.shares_outbound
    after = network.refer(referrer=network.private_worker, program=network.other_program)
    assert sees(colleague, after)
    assert not sees(colleague, before)  # not retroactive


def test_switching_sharing_off_keeps_what_was_shared(network, site_admin):
    shared = network.refer()
    site_admin.post(team_url("organization_team_sharing", network.sharing_team), {"shares_outbound": "off"})
    network.sharing_team.refresh_from_db()
    assert not network.sharing_team.shares_outbound
    later = network.refer(program=network.other_program)
    assert sees(network.teammate, shared) and not sees(network.teammate, later)


@pytest.mark.parametrize("data", [{}, {"shares_outbound": "maybe"}])
def test_an_empty_or_unknown_sharing_value_changes_nothing(network, site_admin, data):
    answer = site_admin.post(team_url("organization_team_sharing", network.sharing_team), data)
    assert answer.status_code == 400 and "Choose whether sharing is on or off." in text(answer)
    network.sharing_team.refresh_from_db()
    assert network.sharing_team.shares_outbound


def test_a_member_added_to_a_sharing_team_sees_referrals_a_teammate_makes_afterwards(network, site_admin):
    answer = site_admin.post(
        team_url("organization_team_member_add", network.sharing_team),
        {"email": network.private_worker.email.upper()},
        follow=True,
    )
    assert "Added Priya Shah to Care Navigation." in text(answer)
    assert TeamMembership.objects.filter(team=network.sharing_team, user=network.private_worker).exists()
    referral = network.refer()  # Maria, of Care Navigation
    assert sees(network.private_worker, referral)


def test_a_removed_member_stops_seeing_the_teams_referrals(network, site_admin):
    referral = network.refer()
    assert sees(network.teammate, referral)
    remove = team_url("organization_team_member_remove", network.sharing_team, user_id=network.teammate.public_id)
    answer = site_admin.post(remove, follow=True)
    assert "Removed James Lee from Care Navigation." in text(answer)
    assert not sees(network.teammate, referral)


@pytest.mark.parametrize("who", ["outsider", "claimer", "unknown"])
def test_only_the_organizations_members_join_its_teams(network, site_admin, who):
    email = "nobody@example.org" if who == "unknown" else getattr(network, who).email
    answer = site_admin.post(team_url("organization_team_member_add", network.sharing_team), {"email": email})
    assert answer.status_code == 400
    assert f"No member of Northside Health Center has the email {email}" in text(answer)
    assert network.sharing_team.memberships.count() == 2


def test_adding_someone_already_in_the_team_is_refused(network, site_admin):
    answer = site_admin.post(
        team_url("organization_team_member_add", network.sharing_team), {"email": network.referrer.email}
    )
    assert answer.status_code == 400 and "Maria Garcia is already in Care Navigation." in text(answer)


def test_a_malformed_email_is_refused(network, site_admin):
    answer = site_admin.post(team_url("organization_team_member_add", network.sharing_team), {"email": "maria"})
    assert answer.status_code == 400 and "Enter an email address like name@example.org." in text(answer)


def test_another_organizations_team_is_not_found(network, site_admin):
    theirs = factories.TeamFactory(organization=network.other_site, name="Student Support")
    member = factories.worker(network.other_site, team=theirs)
    wrong_parent = {"organization_id": network.site.public_id, "team_id": theirs.public_id}
    their_parent = {"organization_id": network.other_site.public_id, "team_id": theirs.public_id}
    for kwargs in (wrong_parent, their_parent):
        for name, data in (
            ("organization_team_rename", {"name": "Mine now"}),
            ("organization_team_sharing", {"shares_outbound": "on"}),
            ("organization_team_member_add", {"email": network.referrer.email}),
        ):
            answer = site_admin.post(url(name, **kwargs), data)
            assert answer.status_code == 404 and "Student Support" not in text(answer)
        answer = site_admin.post(url("organization_team_member_remove", user_id=member.public_id, **kwargs))
        assert answer.status_code == 404
    theirs.refresh_from_db()
    assert (theirs.name, theirs.shares_outbound, theirs.memberships.count()) == ("Student Support", False, 1)


def test_removing_someone_not_in_the_team_is_not_found(network, site_admin):
    remove = team_url("organization_team_member_remove", network.sharing_team, user_id=network.private_worker.public_id)
    assert site_admin.post(remove).status_code == 404
    assert TeamMembership.objects.filter(team=network.private_team, user=network.private_worker).exists()
