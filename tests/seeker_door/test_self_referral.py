"""Asking a program for help from the public directory (issue 16 item 2): a request confirmed by a code or a link
sent to the address becomes a seeker and an inbound self-referral of the program's organization; unconfirmed, it
reaches nobody and is deleted after 24 hours; limits, the hidden field, refusals that change nothing, and the
tenant line."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from notifications.models import OutboxMessage
from programs.models import Program
from referrals.models import Referral, ReferralEvent
from seeker_door.models import SelfReferralRequest
from seekers.models import Seeker
from sms.models import TextMessage

from .conftest import sign_in

pytestmark = pytest.mark.django_db

FORM = {
    "first_name": "Elena",
    "last_name": "Ruiz",
    "contact": "elena@example.com",
    "language": "es",
    "message": "Necesito comida para mi familia.",
    "consent": "on",
}


def ask(client, program, **changes):
    return client.post(f"/find/programs/{program.public_id}/ask/", {**FORM, **changes})


def sent_code(kind=OutboxMessage.Kind.SELF_REFERRAL_CONFIRM) -> tuple[str, str]:
    message = OutboxMessage.objects.filter(kind=kind).order_by("-id").first()
    code = re.search(r"\b(\d{6})\b", message.body_text).group(1)
    link = re.search(r"https?://[^/\s]+(/find/ask/[^\s]+/)", message.body_text).group(1)
    return code, link


def confirm(client, program, code):
    return client.post(f"/find/programs/{program.public_id}/ask/code/", {"code": code})


def self_referrals():
    return Referral.objects.unscoped("test").filter(referred_by__isnull=True)


def test_the_program_page_offers_to_ask_when_it_accepts_referrals(network):
    page = Client().get(f"/find/programs/{network.program.public_id}/")
    assert f"/find/programs/{network.program.public_id}/ask/" in page.content.decode()
    Program.objects.unscoped("test").filter(pk=network.other_program.pk).update(accepts_referrals=False)
    page = Client().get(f"/find/programs/{network.other_program.public_id}/")
    assert "/ask/" not in page.content.decode()


def test_a_confirmed_request_becomes_an_inbound_self_referral(network, django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, network.program)
    assert response.status_code == 302 and response["Location"].endswith("/ask/code/")
    row = SelfReferralRequest.objects.get()
    code, link = sent_code()
    assert code not in row.code_digest and link.split("/")[-2] not in row.token_digest
    assert row.expires_at - row.created_at == timedelta(hours=24)
    message = OutboxMessage.objects.get(kind=OutboxMessage.Kind.SELF_REFERRAL_CONFIRM)
    assert message.recipient_email == "elena@example.com" and message.language == "es"
    assert not self_referrals().exists()  # nothing reaches the program before the confirmation

    with django_capture_on_commit_callbacks(execute=True):
        response = confirm(client, network.program, code)
    assert response.status_code == 302 and response["Location"] == f"/find/programs/{network.program.public_id}/asked/"
    done = client.get(response["Location"])
    assert done.status_code == 200 and "/my/sign-in/" in done.content.decode()

    referral = self_referrals().get()
    assert referral.program == network.program and referral.organization == network.provider
    assert referral.is_self_referral and referral.has_consent and referral.comment == FORM["message"]
    seeker = referral.seeker
    assert (seeker.organization, seeker.first_name, seeker.last_name, seeker.email, seeker.preferred_language) == (
        network.provider,
        "Elena",
        "Ruiz",
        "elena@example.com",
        "es",
    )
    created = referral.events.get(kind=ReferralEvent.Kind.CREATED)
    assert created.via == ReferralEvent.Via.SELF_REFERRAL and created.actor_display == "Seeker (self-referral)"
    assert "Community Food Pantry" in created.detail["consent"]
    assert not SelfReferralRequest.objects.exists()
    # the claimers get the usual new-referral email
    new = OutboxMessage.objects.filter(kind=OutboxMessage.Kind.NEW_REFERRAL, referral=referral)
    assert new.filter(recipient_email=network.claimer.email).exists()
    # the code works once
    assert confirm(client, network.program, code).status_code == 302  # no pending request: back to the form
    assert self_referrals().count() == 1


def test_the_link_shows_a_button_and_confirms_once(network, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ask(Client(), network.program)
    _, link = sent_code()
    other_device = Client()
    page = other_device.get(link)  # a mail scanner following the link changes nothing
    assert page.status_code == 200 and "Community Food Pantry" in page.content.decode()
    assert not self_referrals().exists()
    response = other_device.post(link)
    assert response.status_code == 302 and self_referrals().count() == 1
    again = Client().post(link)
    assert again.status_code == 410 and "no longer works" in again.content.decode()
    assert self_referrals().count() == 1


def test_a_mobile_number_gets_the_code_by_text_and_a_landline_is_refused(network, django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, network.program, contact="312-555-0199")
    assert response.status_code == 302
    text = TextMessage.objects.get(kind=TextMessage.Kind.SELF_REFERRAL_CONFIRM)
    assert text.to_number == "+13125550199" and "/find/ask/" in text.body
    code = re.search(r"\b(\d{6})\b", text.body).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        assert confirm(client, network.program, code).status_code == 302
    assert self_referrals().get().seeker.phone == "+13125550199"
    confirmation = TextMessage.objects.get(kind=TextMessage.Kind.REFERRAL_CONFIRMATION)
    assert confirmation.body.startswith("Su solicitud a Community Food Pantry se env")  # Spanish, as chosen
    landline = ask(Client(), network.program, contact="800-555-0199")  # toll-free: no texts; said on an English page
    assert landline.status_code == 400 and "cannot get texts" in landline.content.decode()
    assert 'value="Elena"' in landline.content.decode() and SelfReferralRequest.objects.count() == 0


@pytest.mark.parametrize(
    "changes, field, words",
    [
        ({"first_name": " "}, "first_name", "Enter your first name"),
        ({"contact": "elena@"}, "contact", "not an email address"),
        ({"contact": "12"}, "contact", ""),
        ({"contact": ""}, "contact", "Enter your email address or your mobile number"),
        ({"consent": ""}, "consent", "Tick the box"),
        ({"language": "fr"}, "language", ""),
        ({"message": "x" * 1001}, "message", ""),
    ],
)
def test_bad_input_is_refused_on_its_field_keeps_the_form_and_changes_nothing(network, changes, field, words):
    response = ask(Client(), network.program, **changes)
    assert response.status_code == 400
    form = response.context["form"] if response.context else None
    html = response.content.decode()
    assert field in (form.errors if form is not None else {}) or words in html
    assert words in html
    assert 'value="Ruiz"' in html  # the refused form keeps its input
    assert not SelfReferralRequest.objects.exists() and not OutboxMessage.objects.exists()


def test_a_wrong_code_is_refused_and_five_use_the_request_up(network, django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, network.program)
    code, _ = sent_code()
    wrong = "000000" if code != "000000" else "111111"
    response = confirm(client, network.program, wrong)
    assert response.status_code == 400 and "not right" in response.content.decode()
    assert SelfReferralRequest.objects.get().wrong_codes == 1
    for _ in range(4):
        confirm(client, network.program, wrong)
    assert not SelfReferralRequest.objects.exists()
    assert confirm(client, network.program, code).status_code == 400
    assert not self_referrals().exists()


def test_an_unconfirmed_request_expires_after_24_hours_and_the_sweep_deletes_it(
    network, django_capture_on_commit_callbacks
):
    from seeker_door.tasks import clear_expired_sign_ins

    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, network.program)
    code, link = sent_code()
    SelfReferralRequest.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert confirm(client, network.program, code).status_code == 400
    assert Client().post(link).status_code == 410
    assert not self_referrals().exists()
    result = clear_expired_sign_ins()
    assert result["unconfirmed requests for help deleted"] == 1 and not SelfReferralRequest.objects.exists()


def test_the_hidden_field_answers_as_if_sent_and_nothing_is_written(network, django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, network.program, website="http://spam.example")
    assert response.status_code == 302 and response["Location"].endswith("/ask/code/")
    assert "elena@example.com" in client.get(response["Location"]).content.decode()
    assert not SelfReferralRequest.objects.exists() and not OutboxMessage.objects.exists()


def test_requests_are_limited_per_address_and_per_client(network, settings, one_window):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "self_referral_contact": (2, 3600),
        "self_referral_client": (3, 3600),
    }
    client = Client()
    assert ask(client, network.program).status_code == 302
    assert ask(client, network.program).status_code == 302
    refused = ask(client, network.program)
    assert refused.status_code == 429 and "Try again in" in refused.content.decode()
    assert 'value="Elena"' in refused.content.decode()
    assert SelfReferralRequest.objects.count() == 2
    assert ask(client, network.program, contact="other@example.com").status_code == 429  # the client's limit
    assert SelfReferralRequest.objects.count() == 2


def test_a_program_that_stopped_accepting_refuses_at_submit_and_at_confirmation(
    network, django_capture_on_commit_callbacks
):
    program = Program.objects.unscoped("test").filter(pk=network.program.pk)
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, network.program)
    code, link = sent_code()
    program.update(accepts_referrals=False)
    refused = ask(Client(), network.program)
    assert refused.status_code == 409 and "not accepting new people" in refused.content.decode()
    assert 'value="Elena"' in refused.content.decode()
    assert SelfReferralRequest.objects.count() == 1
    response = confirm(client, network.program, code)
    assert response.status_code == 400 and "stopped accepting" in response.content.decode()
    assert not self_referrals().exists() and SelfReferralRequest.objects.count() == 1
    program.update(accepts_referrals=True)  # it opens again within the day: the same request still works
    assert confirm(client, network.program, code).status_code == 302 and self_referrals().count() == 1


def test_a_second_open_request_to_the_same_program_is_refused(network, django_capture_on_commit_callbacks):
    for _attempt in range(2):
        client = Client()
        with django_capture_on_commit_callbacks(execute=True):
            ask(client, network.program)
        code, _ = sent_code()
        response = confirm(client, network.program, code)
    assert response.status_code == 400 and "already asked" in response.content.decode()
    assert self_referrals().count() == 1 and Seeker.objects.unscoped("test").filter(first_name="Elena").count() == 1


def confirmed(network, django_capture_on_commit_callbacks) -> Referral:
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, network.program)
        confirm(client, network.program, sent_code()[0])
    return self_referrals().get()


def test_only_the_programs_side_sees_it_and_it_is_nobodys_sent_referral(network, django_capture_on_commit_callbacks):
    referral = confirmed(network, django_capture_on_commit_callbacks)
    for user in (network.claimer, network.provider_admin):
        assert Referral.objects.restrict(user, "receive").filter(pk=referral.pk).exists()
        assert Referral.objects.restrict(user, "view").filter(pk=referral.pk).exists()
        assert not Referral.objects.restrict(user, "refer:all").filter(pk=referral.pk).exists()
    for user in (
        network.referrer,
        network.teammate,
        network.site_admin,
        network.outsider,
        network.outsider_admin,
        network.other_claimer,
    ):
        assert not Referral.objects.restrict(user, "view:all").filter(pk=referral.pk).exists()
    for user in (network.referrer, network.outsider, network.other_claimer):
        client = Client()
        client.force_login(user)
        assert client.get(f"/referrals/{referral.public_id}/").status_code == 404
        assert "Elena" not in client.get("/inbound/").content.decode()
    client = Client()
    client.force_login(network.claimer)
    inbound = client.get("/inbound/").content.decode()
    assert "Elena Ruiz" in inbound and "Self-referral" in inbound
    assert "Elena" not in client.get("/sent/").content.decode()


def test_the_claimer_accepts_it_and_the_seeker_then_sees_it_in_my_referrals(
    network, django_capture_on_commit_callbacks
):
    referral = confirmed(network, django_capture_on_commit_callbacks)
    claimer = Client()
    claimer.force_login(network.claimer)
    page = claimer.get(f"/referrals/{referral.public_id}/")
    assert page.status_code == 200 and "Self-referral" in page.content.decode()
    from referrals.services import referral_change_status

    referral.refresh_from_db()
    referral_change_status(actor=network.claimer, referral=referral, to_status=Referral.Status.ACCEPTED)
    seeker = Client()
    with django_capture_on_commit_callbacks(execute=True):
        sign_in(seeker, "elena@example.com")
    mine = seeker.get("/my/referrals/").content.decode()
    assert "Community Food Pantry" in mine
    detail = seeker.get(f"/my/referrals/{referral.public_id}/").content.decode()
    assert "contact you" in detail or "contactara" in detail or "Pidió" in detail or "pediste" in detail.lower()


def test_the_form_and_its_refusals_are_in_spanish_on_a_spanish_page(network):
    client = Client()
    client.cookies["django_language"] = "es"
    page = client.get(f"/find/programs/{network.program.public_id}/ask/")
    assert page.status_code == 200 and page.headers["Content-Language"] == "es"
    body = page.content.decode()
    assert "Pedir que me contacten" in body and "Acepto que Community Food Pantry (City Food Bank)" in body
    refused = ask(client, network.program, consent="", first_name="")
    body = refused.content.decode()
    assert refused.status_code == 400 and "Marque la casilla" in body and "Escriba su nombre" in body
    assert 'value="Ruiz"' in body


def test_an_unknown_program_or_one_whose_organization_left_is_refused(network):
    import uuid

    assert Client().get(f"/find/programs/{uuid.uuid4()}/ask/").status_code == 404
    network.provider.is_active = False
    network.provider.save()
    assert ask(Client(), network.program).status_code == 410
    assert not SelfReferralRequest.objects.exists()
