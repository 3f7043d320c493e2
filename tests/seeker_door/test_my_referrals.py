"""What a signed-in seeker sees and does (issue 16 item 3): every referral of the records with their verified
contact, across organizations, in their words; answers and consent through the services and the history; who
looked at their record. Another seeker's referral is not found."""

import pytest
from django.test import Client

from privacy.services import access_record
from referrals.models import Referral, ReferralEvent
from referrals.services import referral_change_status
from seekers.models import Seeker
from tests import factories

from .conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def referrals(luis, network):
    here = network.refer()
    # The same person, known by their email at another organization.
    twin = factories.SeekerFactory(
        organization=network.other_site, created_by=network.outsider, first_name="Luis", email="LUIS@example.com"
    )
    there = network.refer(referrer=network.outsider, seeker=twin, program=network.other_program)
    return here, there


def test_the_seeker_sees_every_referral_with_their_contact_across_organizations(referrals, network):
    other_people = network.refer(seeker=network.outsider_seeker, referrer=network.outsider)
    client = Client()
    sign_in(client)
    page = client.get("/my/referrals/").content.decode()
    assert "Community Food Pantry" in page and "Mobile Food Market" in page
    assert "Sent to the program" in page and "Not updated" not in page
    assert str(other_people.public_id) not in page


def test_the_referral_page_shows_next_steps_contact_and_history_in_the_seekers_words(referrals, network):
    here, _ = referrals
    network.program.next_steps = "Bring a photo ID."
    network.program.phone = "+13125550100"
    network.program.save()
    referral_change_status(actor=network.claimer, referral=here, to_status="accepted")
    client = Client()
    sign_in(client)
    page = client.get(f"/my/referrals/{here.public_id}/").content.decode()
    assert "Bring a photo ID." in page and "tel:+13125550100" in page
    assert "Referred to Community Food Pantry" in page and "Sam O. · Community Food Pantry" in page
    assert "Accepted" not in page.replace("The program accepted you", "")  # the staff's word never shows


def test_another_seekers_referral_is_not_found(referrals, network):
    theirs = network.refer(seeker=network.outsider_seeker, referrer=network.outsider)
    client = Client()
    sign_in(client)
    assert client.get(f"/my/referrals/{theirs.public_id}/").status_code == 404
    before = ReferralEvent.objects_across_tenants.count()
    assert client.post(f"/my/referrals/{theirs.public_id}/answer/", {"choice": "got_help"}).status_code == 404
    assert ReferralEvent.objects_across_tenants.count() == before


def test_an_answer_goes_through_the_services_and_the_history_says_seeker_signed_in(referrals, network):
    here, _ = referrals
    client = Client()
    sign_in(client)
    response = client.post(f"/my/referrals/{here.public_id}/answer/", {"choice": "no_longer_interested"}, follow=True)
    assert "Thank you" in response.content.decode()
    changed = Referral.objects_across_tenants.get(pk=here.pk)
    assert (changed.status, changed.status_reason, changed.seeker_outcome) == (
        "withdrawn",
        "no_longer_interested",
        "withdrawn",
    )
    event = changed.events.order_by("-created_at", "-id").first()
    assert (event.via, event.actor_display, event.actor_id) == ("signed_in", "Seeker (signed in)", None)
    again = client.post(f"/my/referrals/{here.public_id}/answer/", {"choice": "got_help"}, follow=True)
    assert "cannot be given now" in again.content.decode()


def test_a_choice_that_is_not_one_changes_nothing(referrals):
    here, _ = referrals
    client = Client()
    sign_in(client)
    response = client.post(f"/my/referrals/{here.public_id}/answer/", {"choice": "entered_in_error"}, follow=True)
    assert "not one of the choices" in response.content.decode()
    assert Referral.objects_across_tenants.get(pk=here.pk).status == "sent"


def test_the_seeker_withdraws_consent(referrals):
    here, _ = referrals
    client = Client()
    sign_in(client)
    client.post(f"/my/referrals/{here.public_id}/answer/", {"choice": "withdraw_consent"})
    changed = Referral.objects_across_tenants.get(pk=here.pk)
    assert changed.consent_withdrawn_at is not None
    assert changed.events.filter(kind="consent_withdrawn", via="signed_in").exists()
    page = client.get(f"/my/referrals/{here.public_id}/").content.decode()
    assert "It sees only your name" in page


def test_who_looked_lists_the_access_records_in_plain_words(referrals, network, django_assert_max_num_queries):
    here, _ = referrals
    for _ in range(3):
        access_record(user=network.referrer, seeker=network.seeker)
    access_record(user=network.claimer, referral=here)
    client = Client()
    sign_in(client)
    with django_assert_max_num_queries(12):
        page = client.get("/my/who-looked/").content.decode()
    assert "Maria G. · Northside Health Center · looked at your profile" in page
    assert "Sam O. · Community Food Pantry · looked at your referral" in page
    assert "Keiko" not in page


def test_the_list_does_not_grow_in_queries_with_referrals(referrals, network, django_assert_max_num_queries):
    client = Client()
    sign_in(client)
    with django_assert_max_num_queries(12):
        client.get("/my/referrals/")
    for program in factories.ProgramFactory.create_batch(3, organization=network.provider):
        network.refer(program=program)
    with django_assert_max_num_queries(12):
        assert client.get("/my/referrals/").content.decode().count("<section") == 5


def test_staff_without_a_seeker_profile_get_404_and_strangers_the_sign_in(network):
    client = Client()
    client.force_login(network.referrer)
    assert client.get("/my/referrals/").status_code == 404
    assert client.get("/my/who-looked/").status_code == 404
    assert Client().get("/my/referrals/")["Location"] == "/my/sign-in/"


def test_a_linked_account_sees_the_same_pages(network):
    user = factories.UserFactory(first_name="Luis", last_name="Hernandez")
    Seeker.objects_across_tenants.filter(pk=network.seeker.pk).update(user=user)
    referral = network.refer()
    client = Client()
    client.force_login(user)
    assert client.get(f"/my/referrals/{referral.public_id}/").status_code == 200
    client.post(f"/my/referrals/{referral.public_id}/answer/", {"choice": "got_help"})
    event = Referral.objects_across_tenants.get(pk=referral.pk).events.order_by("-created_at", "-id").first()
    assert (event.to_status, event.via) == ("got_help", "web")


def test_the_pages_speak_spanish(referrals):
    client = Client()
    client.cookies["django_language"] = "es"
    sign_in(client)
    response = client.get("/my/referrals/")
    assert response.headers["Content-Language"] == "es" and '<html lang="es">' in response.content.decode()
