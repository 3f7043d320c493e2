"""A program writes its next steps in Spanish too; seekers who read Spanish get them, on pages and in emails,
and the English ones, marked lang="en", when the program has not written them."""

from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from notifications import links
from programs.models import Program
from seekers.models import Seeker
from tests import factories

pytestmark = pytest.mark.django_db

ENGLISH = "Bring a photo ID on Tuesday."
SPANISH = "Traiga una identificación con foto el martes."


def link_path(referral, network):
    return urlsplit(links.link_url(referral=referral, seeker=network.seeker)).path


def speaking(network, language, *, spanish=SPANISH):
    network.seeker.preferred_language = language
    network.seeker.save()
    network.program.next_steps, network.program.next_steps_es = ENGLISH, spanish
    network.program.save()


def email_to_seeker(network, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        referral = network.refer()
    message = next(message for message in mail.outbox if message.to == [network.seeker.email])
    return referral, message.body, message.alternatives[0][0]


def test_a_spanish_reader_gets_the_spanish_next_steps_by_email_and_on_the_link_page(
    network, django_capture_on_commit_callbacks
):
    speaking(network, "es")
    referral, text, html = email_to_seeker(network, django_capture_on_commit_callbacks)
    assert SPANISH in text and ENGLISH not in text
    assert f"<p>{SPANISH}</p>" in html
    page = Client().get(link_path(referral, network))
    assert f"<p>{SPANISH}</p>" in page.content.decode() and ENGLISH not in page.content.decode()


def test_an_english_reader_gets_the_english_ones(network, django_capture_on_commit_callbacks):
    speaking(network, "en")
    _, text, html = email_to_seeker(network, django_capture_on_commit_callbacks)
    assert ENGLISH in text and SPANISH not in text
    assert f"<p>{ENGLISH}</p>" in html


def test_without_spanish_ones_a_spanish_reader_gets_the_english_marked_as_english(
    network, django_capture_on_commit_callbacks
):
    speaking(network, "es", spanish="  ")
    referral, text, html = email_to_seeker(network, django_capture_on_commit_callbacks)
    assert ENGLISH in text
    assert f'<p lang="en">{ENGLISH}</p>' in html
    page = Client().get(link_path(referral, network))
    assert f'<p lang="en">{ENGLISH}</p>' in page.content.decode()


def test_the_seekers_own_page_follows_their_language(network, client):
    speaking(network, "es")
    user = factories.UserFactory(first_name="Luis", last_name="Hernandez")
    Seeker.objects_across_tenants.filter(pk=network.seeker.pk).update(user=user)
    network.refer()
    client.force_login(user)
    html = client.get(
        reverse("referrals:my_referrals"), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()  # the browser says English
    assert SPANISH in html and ENGLISH not in html


def test_a_claimer_writes_them_and_too_long_ones_are_refused(network, client):
    client.force_login(network.claimer)
    url = reverse("programs:manage", args=[network.program.public_id])
    form = client.get(url).content.decode()
    assert 'name="next_steps_es"' in form and "in Spanish" in form
    fields = {"description": "", "eligibility": "", "next_steps": ENGLISH, "accepts_referrals": "on"}
    assert client.post(url, {**fields, "next_steps_es": SPANISH}).status_code == 302
    assert Program.objects_across_tenants.get(pk=network.program.pk).next_steps_es == SPANISH
    refused = client.post(url, {**fields, "next_steps_es": "x" * 2001})
    assert refused.status_code == 400 and "next_steps_es" in refused.context["form"].errors
    assert Program.objects_across_tenants.get(pk=network.program.pk).next_steps_es == SPANISH


def test_the_api_gives_both(network):
    from rest_framework.test import APIClient

    speaking(network, "en")
    client = APIClient()
    client.force_authenticate(network.referrer)
    body = client.get(f"/api/v1/programs/{network.program.public_id}/").json()
    assert (body["next_steps"], body["next_steps_es"]) == (ENGLISH, SPANISH)
