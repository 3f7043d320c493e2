"""The Programs page of a provider: its admin chooses each program's claimers and switches its sharing."""

import pytest
from django.contrib.admin.models import LogEntry

from programs.models import ProgramClaimer
from referrals.models import Referral
from tests import factories

from .conftest import text, url

pytestmark = pytest.mark.django_db


def programs_url(organization):
    return url("organization_programs", organization_id=organization.public_id)


def program_url(name, program, **extra):
    return url(name, program_id=program.public_id, **extra)


@pytest.fixture
def tom(network):
    """A worker of City Food Bank who claims nothing yet."""
    return factories.worker(network.provider, first_name="Tom", last_name="Reyes")


def test_it_lists_programs_with_their_claimers_and_sharing(network, provider_admin):
    body = text(provider_admin.get(programs_url(network.provider)))
    assert "Community Food Pantry" in body and "Mobile Food Market" in body
    assert "Sam Okafor" in body and "Rita Alvarez" in body
    assert "Not a member" in body  # the fixture's claimers are not members of City Food Bank
    assert "Share outbound referrals" in body


def test_a_site_without_programs_says_so_and_has_no_programs_tab(network, site_admin):
    assert "provides no programs" in text(site_admin.get(programs_url(network.site)))
    members = text(site_admin.get(url("organization_members", organization_id=network.site.public_id)))
    assert programs_url(network.site) not in members


def test_adding_a_claimer_who_then_sees_the_inbound_referrals(network, provider_admin, tom):
    referral = network.refer()
    assert not Referral.objects.restrict(tom, "view:all").filter(pk=referral.pk).exists()
    answer = provider_admin.post(
        program_url("organization_program_claimer_add", network.program), {"email": tom.email}, follow=True
    )
    assert "Tom Reyes is now a claimer of Community Food Pantry" in text(answer)
    assert ProgramClaimer.objects.filter(program=network.program, user=tom).exists()
    assert Referral.objects.restrict(tom, "view:all").filter(pk=referral.pk).exists()
    assert LogEntry.objects.filter(
        object_id=str(network.program.pk), content_type__model="program", user=network.provider_admin
    ).exists()


def test_removing_a_claimer(network, provider_admin):
    referral = network.refer()
    remove = program_url("organization_program_claimer_remove", network.program, user_id=network.claimer.public_id)
    answer = provider_admin.post(remove, follow=True)
    assert "Sam Okafor is no longer a claimer of Community Food Pantry." in text(answer)
    assert not ProgramClaimer.objects.filter(program=network.program, user=network.claimer).exists()
    assert not Referral.objects.restrict(network.claimer, "view:all").filter(pk=referral.pk).exists()


@pytest.mark.parametrize("who", ["referrer", "outsider"])
def test_only_members_become_claimers(network, provider_admin, who):
    email = getattr(network, who).email
    answer = provider_admin.post(program_url("organization_program_claimer_add", network.program), {"email": email})
    assert answer.status_code == 400 and f"No member of City Food Bank has the email {email}" in text(answer)
    assert list(ProgramClaimer.objects.filter(program=network.program).values_list("user", flat=True)) == [
        network.claimer.pk
    ]


def test_a_claimer_twice_is_refused(network, provider_admin, tom):
    factories.program_add_claimer(program=network.program, user=tom)
    answer = provider_admin.post(program_url("organization_program_claimer_add", network.program), {"email": tom.email})
    assert answer.status_code == 400 and "Tom Reyes is already a claimer of Community Food Pantry." in text(answer)


def test_switching_the_programs_sharing(network, provider_admin):
    answer = provider_admin.post(
        program_url("organization_program_sharing", network.program), {"shares_outbound": "on"}, follow=True
    )
    assert "from now on" in text(answer)
    network.program.refresh_from_db()
    assert network.program.shares_outbound
    provider_admin.post(program_url("organization_program_sharing", network.program), {"shares_outbound": "off"})
    network.program.refresh_from_db()
    assert not network.program.shares_outbound


def test_an_empty_sharing_value_changes_nothing(network, provider_admin):
    answer = provider_admin.post(program_url("organization_program_sharing", network.program), {})
    assert answer.status_code == 400 and "Choose whether sharing is on or off." in text(answer)


def test_another_organizations_program_is_not_found(network, site_admin, tom):
    """Omar administers Northside, not City Food Bank: its programs are not his to change."""
    for answer in (
        site_admin.post(program_url("organization_program_claimer_add", network.program), {"email": tom.email}),
        site_admin.post(
            program_url("organization_program_claimer_remove", network.program, user_id=network.claimer.public_id)
        ),
        site_admin.post(program_url("organization_program_sharing", network.program), {"shares_outbound": "on"}),
        site_admin.get(programs_url(network.provider)),
    ):
        assert answer.status_code == 404 and "Sam Okafor" not in text(answer)
    network.program.refresh_from_db()
    assert not network.program.shares_outbound
    assert list(network.program.claimer_memberships.values_list("user", flat=True)) == [network.claimer.pk]


def test_removing_someone_who_is_not_a_claimer_is_not_found(network, provider_admin, tom):
    remove = program_url("organization_program_claimer_remove", network.program, user_id=tom.public_id)
    assert provider_admin.post(remove).status_code == 404
