"""Every email shares one accessible layout (templates/emails/_base.html) whose styles are inlined when the message
is rendered (notifications.services.render_message, css-inline); the seeker's answers are real buttons in their
language; the plain-text part stays plain; markup people typed stays escaped (issue 19, item 8)."""

import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import Invitation
from notifications import services
from notifications.models import OutboxMessage
from referrals.services import referral_change_status
from referrals.sweeps import escalation_sweep

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates" / "emails"
SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


class Elements(HTMLParser):
    """Every start tag of a document, as (tag, attributes, the text up to the tag's end for links)."""

    def __init__(self, html):
        super().__init__()
        self.elements, self._open_link = [], None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, **{name: value or "" for name, value in attrs}, "text": ""}
        self.elements.append(element)
        if tag == "a":
            self._open_link = element

    def handle_endtag(self, tag):
        if tag == "a":
            self._open_link = None

    def handle_data(self, data):
        if self._open_link is not None:
            self._open_link["text"] += data

    def with_class(self, name):
        return [element for element in self.elements if name in element.get("class", "").split()]

    def first(self, tag):
        return next(element for element in self.elements if element["tag"] == tag)


def style_of(element) -> dict:
    return {
        name.strip(): value.strip()
        for name, value in (part.split(":", 1) for part in element.get("style", "").split(";") if ":" in part)
    }


def style_block(html) -> str:
    return " ".join(re.findall(r"<style[^>]*>(.*?)</style>", html, flags=re.S))


def seeker_emails(network, language, capture):
    network.seeker.preferred_language = language
    network.seeker.save()
    with capture(execute=True):
        referral = network.refer()
        referral_change_status(actor=network.claimer, referral=referral, to_status="accepted")
        escalation_sweep(now=timezone.now() + timedelta(days=settings.FOLLOW_UP_AFTER_ACCEPTED_DAYS, minutes=1))
    return {message.kind: message for message in OutboxMessage.objects.filter(recipient_seeker=network.seeker)}


def test_every_email_the_app_sends_uses_the_one_layout():
    for kind in OutboxMessage.Kind.values:
        html = (TEMPLATES / f"{kind}_body.html").read_text()
        assert html.startswith('{% extends "emails/_base.html" %}'), kind
        assert (TEMPLATES / f"{kind}_body.txt").exists() and (TEMPLATES / f"{kind}_subject.txt").exists(), kind


@pytest.mark.parametrize(
    "language, answers, heading, network_name",
    [
        (
            "en",
            ["I got help", "I couldn't get help", "I'm no longer interested"],
            "Did you get help from",
            "Referral network",
        ),
        (
            "es",
            ["Recibí ayuda", "No pude recibir ayuda", "Ya no me interesa"],
            "¿Recibió ayuda de",
            "Red de referencias",
        ),
    ],
)
def test_the_seekers_answers_are_buttons_with_inlined_styles_in_their_language(
    network, django_capture_on_commit_callbacks, language, answers, heading, network_name
):
    emails = seeker_emails(network, language, django_capture_on_commit_callbacks)
    assert set(emails) == {"referral_confirmation", "status_changed", "follow_up"}
    for kind, message in emails.items():
        page = Elements(message.body_html)
        assert page.first("html")["lang"] == language, kind
        assert 'name="viewport"' in message.body_html
        buttons = page.with_class("button")
        assert [button["text"] for button in buttons] == answers, kind
        for button in buttons:
            # Each answer opens the signed link page with that answer chosen (a GET changes nothing there)...
            assert button["tag"] == "a" and "?answer=" in button["href"] and button["href"] in message.body_text
            # ...and looks like a button without the <style> block, which many mail programs drop.
            style = style_of(button)
            assert style["display"] == "block" and style["text-decoration"] == "none", style
            assert style["padding"] == "13px 22px" and style["border-radius"] == "6px"
            assert style["color"] in ("#ffffff", "#0b5cad") and style["background-color"] in ("#0b5cad", "#ffffff")
        assert style_of(buttons[0])["background-color"] == "#0b5cad"  # the first answer is the main one
        # What stays in <style> is only what cannot be inlined: the phone-width rules.
        remaining = style_block(message.body_html)
        assert ".button {" not in remaining.split("@media")[0] and "@media" in remaining
        container = page.with_class("container")[0]
        assert style_of(container)["max-width"] == "600px"
        assert "system-ui" in style_of(page.with_class("wrapper")[0])["font-family"]
        assert network_name in page.with_class("header")[0]["text"] + message.body_html
    follow_up = emails["follow_up"]
    assert heading in follow_up.subject
    assert re.search(rf'<h1 style="[^"]+">{re.escape(follow_up.subject)}</h1>', follow_up.body_html)
    assert f"<title>{follow_up.subject}</title>" in follow_up.body_html


def test_the_footer_says_why_the_person_gets_the_email(network, django_capture_on_commit_callbacks):
    emails = seeker_emails(network, "es", django_capture_on_commit_callbacks)
    footer = emails["referral_confirmation"].body_html.split('class="footer"')[1]
    assert "Red de referencias" in footer and "Recibe este correo por una referencia a Community Food Pantry" in footer


def test_the_plain_text_part_has_no_html(network, django_capture_on_commit_callbacks):
    network.program.next_steps = "Bring a photo ID & a bill (any one).\nCall first."
    network.program.phone = "312-555-0142"
    network.program.address = "4733 N Broadway St"
    network.program.save()
    emails = seeker_emails(network, "en", django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_password_reset(user=network.referrer)
    for message in [*emails.values(), OutboxMessage.objects.get(kind="password_reset")]:
        text = message.body_text
        assert not re.search(r"</?[a-zA-Z][^>]*>", text), (message.kind, text)
        assert not re.search(r"&(amp|lt|gt|quot|#x?[0-9a-f]+);", text), (message.kind, text)
        assert "style" not in text.lower() and "{" not in text
    confirmation = emails["referral_confirmation"].body_text
    assert "Bring a photo ID & a bill (any one).\nCall first." in confirmation
    assert "I got help: http" in confirmation


def test_markup_people_typed_stays_escaped_in_the_styled_email(network, django_capture_on_commit_callbacks):
    network.seeker.first_name = SCRIPT
    network.seeker.save()
    network.program.name = f'Pantry "{SCRIPT}'
    network.program.next_steps = SCRIPT
    network.program.save()
    with django_capture_on_commit_callbacks(execute=True):
        network.refer(comment=SCRIPT)
    messages = list(OutboxMessage.objects.all())
    assert {message.kind for message in messages} == {"new_referral", "referral_confirmation"}
    for message in messages:
        html = message.body_html
        assert "<script>" not in html and "<img" not in html and "onerror=alert(1)>" not in html, message.kind
        assert "&lt;script&gt;" in html, message.kind
        # The subject (the heading and the title) carries the program's name, escaped too.
        assert "<title>" in html and not re.search(r"<title>[^<]*<script", html)
        assert len(Elements(html).with_class("button")) >= 1


@pytest.mark.parametrize(
    "send, kind, button",
    [
        (
            lambda network: services.notify_password_reset(user=network.referrer),
            "password_reset",
            "Choose a new password",
        ),
        (
            lambda network: services.notify_member_invited(
                user=network.teammate, organization=network.site, invited_by=network.site_admin
            ),
            "member_invitation",
            "Choose your password",
        ),
        (
            lambda network: services.notify_organization_invitation(
                invitation=Invitation.objects.create(
                    organization=network.site,
                    user=network.outsider,
                    email=network.outsider.email,
                    invited_by=network.site_admin,
                    expires_at=timezone.now() + timedelta(days=7),
                ),
                token="t",
            ),
            "organization_invitation",
            "See the invitation",
        ),
        (
            lambda network: services.notify_email_change(
                user=network.referrer,
                new_email="new@example.org",
                confirm_url="http://testserver/account/email/t/",
                valid_hours=24,
            ),
            "email_change",
            "Use this address",
        ),
    ],
)
def test_staff_account_emails_have_the_layout_and_a_button(network, send, kind, button):
    send(network)
    message = OutboxMessage.objects.get(kind=kind)
    page = Elements(message.body_html)
    assert page.first("html")["lang"] == "en"
    [link] = page.with_class("button")
    assert link["text"] == button and style_of(link)["background-color"] == "#0b5cad"
    assert link["href"] in message.body_text
    assert "You receive this email because" in message.body_html.split('class="footer"')[1]
