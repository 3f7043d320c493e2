"""Who works a program's inbound referrals: referrals.policies.receives_referrals (one query of two probes,
asked once per request) says the same as the programs the rule book lists for them (programs_received_by), and
a helper's profile does not read an inbound list they cannot have."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from accounts.models import Membership, User
from programs.services import program_add_claimer
from referrals.policies import programs_received_by, receives_referrals
from tests.factories import OrganizationFactory, ProgramFactory, SeekerFactory, UserFactory, claimer, referral, worker


def _receives(user) -> bool:
    request = RequestFactory().get("/")
    request.user = user
    return receives_referrals(request)


@pytest.mark.django_db
def test_claimers_and_admins_of_providers_receive_and_nobody_else():
    site = OrganizationFactory(runs_site=True)
    provider = OrganizationFactory(runs_site=False)
    empty_provider = OrganizationFactory(runs_site=False)
    program = ProgramFactory(organization=provider)
    site_program = ProgramFactory(organization=site)  # a Site that also runs a program receives its referrals
    helper = worker(site)
    site_admin = worker(site, role=Membership.Role.ADMIN)
    provider_admin = worker(provider, role=Membership.Role.ADMIN)
    provider_member = worker(provider)  # a member who claims nothing works no referrals
    empty_admin = worker(empty_provider, role=Membership.Role.ADMIN)
    program_claimer = claimer(program)
    outsider = UserFactory()

    expected = {
        helper: False,
        site_admin: True,
        provider_admin: True,
        provider_member: False,
        empty_admin: False,
        program_claimer: True,
        outsider: False,
    }
    for user, receives in expected.items():
        assert _receives(user) is receives, user.email
        assert programs_received_by(user).exists() is receives, user.email
    assert set(programs_received_by(site_admin)) == {site_program}


@pytest.mark.django_db
def test_the_role_and_the_programs_agree_for_every_demo_user(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    answers = set()
    for user in User.objects.all():
        receives = programs_received_by(user).exists()
        assert _receives(user) is receives, user.email
        answers.add(receives)
    assert answers == {True, False}  # the demo has both


@pytest.mark.django_db
def test_a_request_asks_once(django_assert_num_queries):
    person = claimer(ProgramFactory())
    request = RequestFactory().get("/")
    request.user = person
    with django_assert_num_queries(1):
        assert receives_referrals(request)
        assert receives_referrals(request)
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert not receives_referrals(request)


@pytest.mark.django_db
def test_a_helper_s_profile_skips_the_inbound_list_and_a_claimer_s_keeps_it(client, django_assert_num_queries):
    site = OrganizationFactory(runs_site=True)
    helper = worker(site)
    seeker = SeekerFactory(organization=site, created_by=helper)
    program = ProgramFactory()
    referral(referrer=helper, seeker=seeker, program=program)
    client.force_login(helper)
    page = client.get(f"/people/{seeker.public_id}/")
    assert page.status_code == 200
    assert program.name in page.content.decode()  # the outbound list names the program
    assert not page.context["inbound"]

    # The same helper claiming the program: the profile lists the referral as received too.
    program_add_claimer(program=program, user=helper, joined_at=timezone.now())
    page = client.get(f"/people/{seeker.public_id}/")
    assert [r.program_id for r in page.context["inbound"]] == [program.pk]
