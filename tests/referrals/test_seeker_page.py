"""A seeker with an account sees /my/referrals/, never the staff page's notes and history."""

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from referrals.models import Referral
from referrals.services import note_add
from seekers.models import Seeker
from tests import factories
from tests.factories import api_token


@pytest.fixture
def account(network):
    user = factories.UserFactory(first_name="Luis", last_name="Hernandez")
    Seeker.objects_across_tenants.filter(pk=network.seeker.pk).update(user=user)
    network.program.next_steps = "Bring a photo ID on Tuesday."
    network.program.save()
    return user


@pytest.fixture
def referral(network, account):
    referral = network.refer()
    note_add(actor=network.claimer, referral=referral, body="Internal: flagged for review.")
    return referral


def _api(user):
    client = APIClient()
    token = api_token(user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_the_staff_page_sends_the_seeker_to_their_own_page(client, account, referral):
    client.force_login(account)
    response = client.get(reverse("referrals:detail", args=[referral.public_id]))
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:my_referrals")


def test_the_api_hides_notes_and_history_from_the_seeker_account(account, referral):
    for part in ("notes", "history"):
        assert _api(account).get(f"/api/v1/referrals/{referral.public_id}/{part}/").status_code == 404


def test_staff_still_see_notes_and_history(network, referral):
    assert _api(network.claimer).get(f"/api/v1/referrals/{referral.public_id}/notes/").json()["count"] == 1


def test_the_seeker_page_shows_program_status_and_next_steps_without_staff_notes(client, account, referral):
    client.force_login(account)
    response = client.get(reverse("referrals:my_referrals"))
    html = response.content.decode()
    assert response.status_code == 200
    # The status and the choices in the seeker's words (issue 19, item 9), not the staff's "Not updated".
    assert "Community Food Pantry" in html and "Bring a photo ID on Tuesday." in html and "Sent to the program" in html
    assert "Not updated" not in html
    assert "Internal: flagged for review." not in html
    assert ">I got help</button>" in html


def test_the_seeker_changes_the_status_from_their_page(client, network, account, referral):
    client.force_login(account)
    response = client.post(
        reverse("referrals:my_referral_status", args=[referral.public_id]),
        {"to_status": "withdrawn", "reason": "no_longer_interested", "version": referral.version},
    )
    assert response.status_code == 302
    changed = Referral.objects_across_tenants.get(pk=referral.pk)
    assert (changed.status, changed.seeker_outcome) == ("withdrawn", "withdrawn")
    event = changed.events.order_by("-created_at", "-id").first()
    assert event.via == "web"


def test_the_page_is_in_the_seekers_language(client, network, account, referral):
    Seeker.objects_across_tenants.filter(pk=network.seeker.pk).update(preferred_language="es")
    client.force_login(account)
    response = client.get(reverse("referrals:my_referrals"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="es">' in response.content.decode()
    assert response.headers["Content-Language"] == "es"


def test_an_english_speaking_seeker_s_page_says_english_whatever_the_browser_asks(client, network, account, referral):
    client.force_login(account)
    response = client.get(reverse("referrals:my_referrals"), HTTP_ACCEPT_LANGUAGE="es")
    assert '<html lang="en">' in response.content.decode()
    assert response.headers["Content-Language"] == "en"


def test_only_seeker_accounts_have_the_page(client, network):
    client.force_login(network.referrer)
    assert client.get(reverse("referrals:my_referrals")).status_code == 404
    client.logout()
    assert client.get(reverse("referrals:my_referrals")).status_code == 302


@pytest.mark.parametrize(
    "posted, spanish",
    [
        ({"to_status": "accepted"}, "Esa no es una de las opciones."),  # a claimer's step, not the seeker's
        ({"to_status": "withdrawn", "reason": "not_a_reason"}, "Esa no es una de las opciones."),
        ({"to_status": "sent"}, "Eso es lo que ya dice su referencia."),
    ],
)
def test_a_refused_answer_is_told_in_the_seekers_language(client, network, account, referral, posted, spanish):
    Seeker.objects_across_tenants.filter(pk=network.seeker.pk).update(preferred_language="es")
    client.force_login(account)
    response = client.post(
        reverse("referrals:my_referral_status", args=[referral.public_id]),
        {**posted, "version": referral.version},
        follow=True,
    )
    html = response.content.decode()
    assert spanish in html, html
    assert Referral.objects_across_tenants.get(pk=referral.pk).status == referral.status


def test_an_answer_on_a_closed_referral_is_refused_in_the_seekers_language(client, network, account, referral):
    Seeker.objects_across_tenants.filter(pk=network.seeker.pk).update(preferred_language="es")
    Referral.objects_across_tenants.filter(pk=referral.pk).update(status="got_help", closed_at=timezone.now())
    client.force_login(account)
    response = client.post(
        reverse("referrals:my_referral_status", args=[referral.public_id]),
        {"to_status": "withdrawn", "reason": "no_longer_interested"},
        follow=True,
    )
    assert "Esa respuesta no se puede dar ahora" in response.content.decode()
    assert Referral.objects_across_tenants.get(pk=referral.pk).status == "got_help"
