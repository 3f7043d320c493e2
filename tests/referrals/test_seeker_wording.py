"""Seekers read what a status means for them ("The program is working with you"), in their language, on
their pages and in their emails; staff keep the status's name. Phone numbers and addresses are links."""

import re

import pytest
from django.test import Client

from notifications import links
from notifications.models import OutboxMessage
from referrals.services import referral_change_status
from referrals.statuses import SEEKER_LABELS, Status
from tests import factories

pytestmark = pytest.mark.django_db


def path_of(url):
    return re.sub(r"^https?://[^/]+", "", url)


@pytest.fixture
def program_with_contact(network):
    network.program.phone = "3125550142"
    network.program.address = "4733 N Broadway St"
    network.program.city = "Chicago"
    network.program.save()
    return network.program


def in_service(network):
    referral = network.refer()
    for status in (Status.ACCEPTED, Status.IN_SERVICE):
        referral = referral_change_status(actor=network.claimer, referral=referral, to_status=status)
    return referral


def test_every_status_has_seeker_words():
    assert set(SEEKER_LABELS) == set(Status)


def test_the_seekers_answer_page_says_what_the_status_means_in_their_language(network, program_with_contact):
    network.seeker.preferred_language = "es"
    network.seeker.save()
    referral = in_service(network)
    page = Client().get(path_of(links.link_url(referral=referral, seeker=referral.seeker))).content.decode()
    assert "El programa está trabajando con usted" in page
    assert "En servicio" not in page and "In service" not in page
    assert '<a href="tel:+13125550142">312-555-0142</a>' in page
    map_href = re.search(r'href="(https://www\.google\.com/maps/search/\?api=1&amp;query=[^"]+)"', page).group(1)
    assert "query=4733+N+Broadway+St%2C+Chicago" in map_href


def test_a_staff_members_link_page_keeps_the_status_name(network):
    referral = in_service(network)
    page = Client().get(path_of(links.link_url(referral=referral, user=network.referrer))).content.decode()
    assert "In service" in page and "The program is working with you" not in page


def test_the_seekers_email_says_what_the_status_means_and_staff_emails_name_it(network, program_with_contact):
    network.seeker.preferred_language = "es"
    network.seeker.save()
    referral = network.refer()
    referral_change_status(actor=network.claimer, referral=referral, to_status=Status.ACCEPTED)
    changed = OutboxMessage.objects.filter(kind=OutboxMessage.Kind.STATUS_CHANGED)
    to_seeker = changed.get(recipient_seeker=network.seeker)
    to_referrer = changed.get(recipient_user=network.referrer)
    assert "El programa le va a ayudar" in to_seeker.subject and "Aceptada" not in to_seeker.subject
    assert "El programa le va a ayudar" in to_seeker.body_text
    assert "tel:+13125550142" in to_seeker.body_html and "google.com/maps/search" in to_seeker.body_html
    assert "Mapa: https://www.google.com/maps/search/?api=1&query=4733+N+Broadway+St" in to_seeker.body_text
    assert "Accepted" in to_referrer.subject


def test_my_referrals_speaks_the_seekers_words(network):
    seeker_user = factories.UserFactory(email="grace@example.org")
    network.seeker.user = seeker_user
    network.seeker.save()
    in_service(network)
    client = Client()
    client.force_login(seeker_user)
    page = client.get("/my/referrals/").content.decode()
    assert "The program is working with you" in page and "In service" not in page
    assert ">I got help</button>" in page


def test_staff_pages_make_the_seekers_phone_a_link(network, client):
    network.seeker.phone = "7735551000"
    network.seeker.save()
    client.force_login(network.referrer)
    page = client.get(f"/people/{network.seeker.public_id}/").content.decode()
    assert '<a href="tel:+17735551000">773-555-1000</a>' in page


def test_the_seekers_answer_is_thanked_in_their_words(network):
    seeker_user = factories.UserFactory(email="grace@example.org")
    network.seeker.user = seeker_user
    network.seeker.save()
    referral = in_service(network)
    client = Client()
    client.force_login(seeker_user)
    response = client.post(
        f"/my/referrals/{referral.public_id}/status/",
        {"to_status": "got_help", "version": referral.version},
        follow=True,
    )
    assert "is now “You got help”" in response.content.decode()
