"""Account emails (invitations, password reset, a new sign-in email) follow the recipient's language where the
product knows it: a seeker's own account its profile's language, an email the person asked for the language of
the page they asked on; otherwise English."""

import re
from datetime import datetime

import pytest
from django.utils import timezone, translation

from accounts.models import Invitation
from notifications import services
from notifications.models import OutboxMessage
from tests import factories

ENGLISH_WORDS = (
    "Hello",
    "referral network",
    "Choose",
    "Someone",
    "the link",
    "ignore this",
    "You receive",
    "open until",
)


def spanish_account(network, language="es"):
    user = factories.UserFactory(first_name="Rosa", email="rosa@example.org")
    factories.SeekerFactory(organization=network.site, user=user, preferred_language=language)
    return user


def assert_spanish(message):
    assert message.language == "es"
    assert 'lang="es"' in message.body_html
    assert message.body_text.startswith("Hola, Rosa:") or message.body_text.startswith("Hola,")
    for text in (message.subject, message.body_text, message.body_html):
        text = re.sub(r"https?://\S+", "", text)  # the links' addresses are not words
        for english in ENGLISH_WORDS:
            assert english not in text, (message.kind, english, text)


def invite(network, user):
    return services.notify_organization_invitation(
        invitation=Invitation.objects.create(
            organization=network.site,
            user=user,
            email=user.email,
            invited_by=network.site_admin,
            expires_at=timezone.make_aware(datetime(2026, 12, 13, 12)),
        ),
        token="t",
    )


def test_a_seekers_own_account_is_invited_in_their_language(network):
    pk = invite(network, spanish_account(network))
    message = OutboxMessage.objects.get(pk=pk)
    assert_spanish(message)
    assert "como Trabajador" in message.body_text and "13 de diciembre de 2026" in message.body_text


@pytest.mark.parametrize(
    "send",
    [
        lambda network, user: services.notify_member_invited(
            user=user, organization=network.site, invited_by=network.site_admin
        ),
        lambda network, user: services.notify_password_reset(user=user),
        lambda network, user: services.notify_email_change(
            user=user, new_email="rosa.new@example.org", confirm_url="http://testserver/e/t/", valid_hours=24
        ),
    ],
)
def test_every_account_email_has_its_spanish(network, send):
    pk = send(network, spanish_account(network))
    assert_spanish(OutboxMessage.objects.get(pk=pk))


def test_a_password_reset_asked_on_a_spanish_page_comes_in_spanish(client, network, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post("/accounts/password/reset/", {"email": network.referrer.email}, HTTP_ACCEPT_LANGUAGE="es")
    assert answer.status_code == 302
    message = OutboxMessage.objects.get(kind="password_reset")
    assert message.language == "es" and message.subject == "Restablezca su contraseña de la red de referencias"
    assert "Elija una contraseña nueva" in message.body_html


def test_a_password_reset_asked_in_english_comes_in_english(client, network, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": network.referrer.email}, HTTP_ACCEPT_LANGUAGE="en")
    assert OutboxMessage.objects.get(kind="password_reset").language == "en"


def test_an_admin_reading_spanish_does_not_choose_a_staff_members_language(network):
    """The product does not know a staff member's language: their invitation is in English, whatever the
    language of the admin's page."""
    with translation.override("es"):
        pk = services.notify_member_invited(
            user=network.teammate, organization=network.site, invited_by=network.site_admin
        )
        other = invite(network, network.outsider)
    for message in OutboxMessage.objects.filter(pk__in=[pk, other]):
        assert message.language == "en" and "Hello" in message.body_text, message.kind
    assert "as Worker" in OutboxMessage.objects.get(pk=other).body_text
    assert "December 13, 2026" in OutboxMessage.objects.get(pk=other).body_text


def test_a_seeker_who_reads_english_gets_english(network):
    pk = services.notify_password_reset(user=spanish_account(network, language="en"))
    assert OutboxMessage.objects.get(pk=pk).language == "en"
