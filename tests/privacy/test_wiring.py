"""Access records where people look, consent withdrawal from both sides, and "do not contact"."""

import re

import pytest
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from notifications import links
from privacy.models import AccessRecord
from referrals.answers import WITHDRAW_CONSENT
from referrals.models import Referral, ReferralEvent
from referrals.services import referral_change_status
from tests.factories import api_token


def records(**filters):
    return list(AccessRecord.objects_across_tenants.filter(**filters).values_list("actor_display", "via", "action"))


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


def test_opening_a_profile_is_recorded(client, network):
    client.force_login(network.referrer)
    assert client.get(f"/people/{network.seeker.public_id}/", HTTP_USER_AGENT="Firefox").status_code == 200
    [record] = AccessRecord.objects_across_tenants.filter(seeker=network.seeker)
    assert (record.actor_display, record.via, record.user_agent, record.referral) == (
        "Maria G.",
        "web",
        "Firefox",
        None,
    )


def test_opening_a_referral_is_recorded_for_the_program_too(client, network):
    referral = network.refer()
    client.force_login(network.claimer)
    assert client.get(f"/referrals/{referral.public_id}/").status_code == 200
    assert records(referral=referral) == [("Sam O.", "web", "viewed")]


def test_api_reads_are_recorded(network):
    referral = network.refer()
    assert api(network.referrer).get(f"/api/v1/seekers/{network.seeker.public_id}/").status_code == 200
    assert api(network.claimer).get(f"/api/v1/referrals/{referral.public_id}/").status_code == 200
    assert api(network.claimer).get(f"/api/v1/referrals/{referral.public_id}/history/").status_code == 200
    assert sorted(records(seeker=network.seeker)) == [
        ("Maria G.", "api", "viewed"),
        ("Sam O.", "api", "viewed"),
        ("Sam O.", "api", "viewed"),
    ]


def test_a_refused_look_is_not_recorded(client, network):
    client.force_login(network.outsider)
    assert client.get(f"/people/{network.seeker.public_id}/").status_code == 404
    assert records() == []


def test_using_an_email_link_is_recorded(network):
    referral = network.refer()
    url = re.sub(r"^https?://[^/]+", "", links.link_url(referral=referral, seeker=network.seeker))
    assert Client().get(url, REMOTE_ADDR="198.51.100.4").status_code == 200
    [record] = AccessRecord.objects_across_tenants.filter(referral=referral)
    assert (record.user, record.actor_display, record.via, record.ip_address) == (
        None,
        "Seeker (email link)",
        "email_link",
        "198.51.100.4",
    )


def test_admins_see_the_who_looked_link_on_the_profile_and_workers_do_not(client, network):
    client.force_login(network.site_admin)
    assert "Who looked at this person" in client.get(f"/people/{network.seeker.public_id}/").content.decode()
    client.force_login(network.referrer)
    assert "Who looked at this person" not in client.get(f"/people/{network.seeker.public_id}/").content.decode()


@pytest.fixture
def shared_referral(network):
    network.seeker.email, network.seeker.phone = "luis@example.org", "3125550199"
    network.seeker.save()
    return network.refer()


def test_the_helper_withdraws_consent_and_the_program_sees_the_name_only(client, network, shared_referral):
    client.force_login(network.claimer)
    before = client.get(f"/referrals/{shared_referral.public_id}/").content.decode()
    assert "luis@example.org" in before
    client.force_login(network.referrer)
    page = client.get(f"/referrals/{shared_referral.public_id}/").content.decode()
    assert "Withdraw consent" in page
    response = client.post(f"/referrals/{shared_referral.public_id}/consent/withdraw/")
    assert response.status_code == 302
    referral = Referral.objects_across_tenants.get(pk=shared_referral.pk)
    assert referral.consent_withdrawn_at is not None
    assert referral.events.filter(kind=ReferralEvent.Kind.CONSENT_WITHDRAWN, actor=network.referrer).exists()
    client.force_login(network.claimer)
    after = client.get(f"/referrals/{shared_referral.public_id}/").content.decode()
    assert "Luis Hernandez" in after
    assert "luis@example.org" not in after and "consent was withdrawn" in after
    # The phone in any of its forms; a bare "555" turns up by chance in ids, tokens and timestamps.
    assert not re.search(r"555\D?0199", after)
    assert api(network.claimer).get(f"/api/v1/referrals/{shared_referral.public_id}/").json()["seeker"].get(
        "email", ""
    ) in ("", None)


def test_the_program_cannot_withdraw_the_seekers_consent(client, network, shared_referral):
    client.force_login(network.claimer)
    assert client.post(f"/referrals/{shared_referral.public_id}/consent/withdraw/").status_code == 403
    assert Referral.objects_across_tenants.get(pk=shared_referral.pk).consent_withdrawn_at is None


def test_the_seeker_withdraws_consent_from_an_email_link(network, shared_referral):
    url = re.sub(r"^https?://[^/]+", "", links.link_url(referral=shared_referral, seeker=network.seeker))
    client = Client(enforce_csrf_checks=True)
    page = client.get(url).content.decode()
    assert "Stop sharing my contact details" in page
    token = client.cookies["csrftoken"].value
    response = client.post(url, {"csrfmiddlewaretoken": token, "choice": WITHDRAW_CONSENT})
    assert response.status_code == 200
    referral = Referral.objects_across_tenants.get(pk=shared_referral.pk)
    assert referral.consent_withdrawn_at is not None and referral.status == "sent"
    event = referral.events.get(kind=ReferralEvent.Kind.CONSENT_WITHDRAWN)
    assert event.actor_display == "Seeker (email link)"


def test_do_not_contact_stops_every_message_to_the_seeker(network, django_capture_on_commit_callbacks):
    network.seeker.contact_preference = "do_not_contact"
    network.seeker.save()
    with django_capture_on_commit_callbacks(execute=True):
        referral = network.refer()
        referral_change_status(actor=network.claimer, referral=referral, to_status="accepted")
        referral_change_status(
            actor=network.claimer, referral=Referral.objects_across_tenants.get(pk=referral.pk), to_status="in_service"
        )
    assert mail.outbox, "the program and the referrer still hear about it"
    assert all(network.seeker.email not in message.to for message in mail.outbox)
