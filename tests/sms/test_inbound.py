"""Replies and delivery reports (issue 14 items 3 and 5): POST /sms/inbound/ and /sms/status/ in Twilio's
webhook format, accepted only with a valid X-Twilio-Signature."""

from urllib.parse import urlencode

import pytest
from twilio.request_validator import RequestValidator

from referrals.models import ReferralEvent
from referrals.services import referral_change_status
from sms.models import TextMessage, TextOptOut

TOKEN = "test-auth-token"
NUMBER = "+13125550142"


@pytest.fixture(autouse=True)
def twilio_account(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.SITE_URL = "https://referrals.example.org"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "internal-proxy"]  # the app behind a TLS proxy


_sid = iter(range(10**6))


def post(client, path, fields, *, token=TOKEN, signature=None):
    """A webhook as Twilio sends it: form fields, signed over SITE_URL + path (what Twilio was given, not the
    Host the request arrives with behind a proxy)."""
    url = f"https://referrals.example.org{path}"
    if signature is None:
        signature = RequestValidator(token).compute_signature(url, fields)
    return client.post(
        path,
        urlencode(fields),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=signature,
        HTTP_HOST="internal-proxy:8000",
    )


def reply(client, body, *, number=NUMBER):
    fields = {
        "MessageSid": f"SM{next(_sid):032d}",
        "AccountSid": "AC" + "0" * 32,
        "From": number,
        "To": "+13125550100",
        "Body": body,
    }
    return post(client, "/sms/inbound/", fields)


@pytest.fixture
def accepted(texting, committed):
    referral = texting.refer()
    with committed():
        referral_change_status(actor=texting.claimer, referral=referral, to_status="accepted")
    referral.refresh_from_db()
    return referral


def replies_sent():
    return list(TextMessage.objects.filter(kind=TextMessage.Kind.REPLY).order_by("pk").values_list("body", flat=True))


@pytest.mark.parametrize("signature", ["", "not-a-signature", "forged"])
def test_an_unsigned_or_forged_reply_is_refused_and_changes_nothing(client, accepted, signature):
    fields = {"MessageSid": "SM1", "From": NUMBER, "Body": "1"}
    forged = (
        RequestValidator("another-token").compute_signature("https://referrals.example.org/sms/inbound/", fields)
        if signature == "forged"
        else signature
    )
    response = post(client, "/sms/inbound/", fields, signature=forged)
    assert response.status_code == 403
    accepted.refresh_from_db()
    assert accepted.status == "accepted" and not replies_sent()


def test_without_an_auth_token_nothing_is_accepted(client, accepted, settings):
    settings.TWILIO_AUTH_TOKEN = ""
    assert post(client, "/sms/inbound/", {"From": NUMBER, "Body": "1"}, token="").status_code == 403


@pytest.mark.parametrize(
    "body,status",
    [
        ("1", "got_help"),
        (" 2 ", "not_completed"),
        ("3", "withdrawn"),
        ("Recibí ayuda!", "got_help"),
        ("ya no me interesa", "withdrawn"),
    ],
)
def test_a_reply_answers_the_most_recent_referral_awaiting_an_answer(client, accepted, committed, body, status):
    with committed():
        response = reply(client, body)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/xml")
    accepted.refresh_from_db()
    assert accepted.status == status
    change = accepted.events.get(kind=ReferralEvent.Kind.STATUS_CHANGED, to_status=status)
    assert (change.via, change.actor_display) == ("text", "Seeker (text message)")
    line = accepted.events.get(kind=ReferralEvent.Kind.TEXT_REPLY)
    assert line.via == "text"
    [confirmation] = replies_sent()
    assert confirmation.startswith(("Thank you: we recorded", "Gracias"))


def test_the_history_says_the_seeker_answered_by_text(client, accepted, committed):
    with committed():
        reply(client, "1")
    client.force_login(accepted.referred_by)
    html = client.get(f"/referrals/{accepted.public_id}/?history=all").content.decode()
    assert "answered by text: got help" in html


def test_an_unclear_reply_gets_one_helpful_text_and_changes_nothing(client, accepted, committed, text_outbox):
    with committed():
        reply(client, "maybe tomorrow?")
    accepted.refresh_from_db()
    assert accepted.status == "accepted"
    assert [text.body for text in text_outbox][-1].startswith("Sorry, we did not understand. Reply 1")


def test_the_same_webhook_twice_acts_once(client, accepted, committed):
    fields = {"MessageSid": "SMduplicate", "From": NUMBER, "Body": "maybe"}
    with committed():
        post(client, "/sms/inbound/", fields)
        post(client, "/sms/inbound/", fields)
    assert len(replies_sent()) == 1


def test_a_reply_from_an_unknown_number_changes_nothing(client, accepted, committed):
    with committed():
        assert reply(client, "1", number="+17735550199").status_code == 200
    accepted.refresh_from_db()
    assert accepted.status == "accepted"
    assert replies_sent() == ["This number has no referral with us. / Este numero no tiene referencias con nosotros."]


@pytest.mark.parametrize("word", ["STOP", "stop", "StopAll", "UNSUBSCRIBE", "cancel", "END", "quit", "PARAR"])
def test_stop_ends_texts_until_start_and_is_recorded(client, texting, accepted, committed, text_outbox, word):
    with committed():
        reply(client, word)
    assert TextOptOut.objects.filter(number=NUMBER).exists()
    assert accepted.events.filter(kind=ReferralEvent.Kind.TEXTS_STOPPED).count() == 1
    sent = len(text_outbox)  # no answer to STOP from us: the provider and the carrier confirm it
    with committed():
        referral_change_status(actor=texting.claimer, referral=accepted, to_status="in_service")
    assert len(text_outbox) == sent  # nothing more is texted

    with committed():
        reply(client, "START")
    assert not TextOptOut.objects.exists()
    assert accepted.events.filter(kind=ReferralEvent.Kind.TEXTS_RESUMED).count() == 1
    assert text_outbox[-1].body.startswith("You will get texts about your referrals again")
    accepted.refresh_from_db()
    with committed():
        referral_change_status(actor=texting.claimer, referral=accepted, to_status="got_help")
    assert "Community Food Pantry" in text_outbox[-1].body  # texted again


@pytest.mark.parametrize("word", ["HELP", "info", "Ayuda"])
def test_help_says_what_to_reply(client, accepted, committed, text_outbox, word):
    with committed():
        reply(client, word)
    assert "Reply 1 if you got help" in text_outbox[-1].body and "STOP" in text_outbox[-1].body
    assert len(text_outbox[-1].body) <= 160


def test_the_profile_shows_that_the_person_replied_stop(client, accepted, committed):
    with committed():
        reply(client, "STOP")
    client.force_login(accepted.referred_by)
    html = client.get(f"/people/{accepted.seeker.public_id}/").content.decode()
    assert "Replied STOP to our texts" in html


@pytest.mark.parametrize("status", ["undelivered", "failed"])
def test_an_undelivered_report_marks_the_text_and_shows_on_the_profile(client, accepted, status):
    row = TextMessage.objects.filter(kind=TextMessage.Kind.REFERRAL_CONFIRMATION).get()
    response = post(
        client, "/sms/status/", {"MessageSid": row.provider_id, "MessageStatus": status, "ErrorCode": "30006"}
    )
    assert response.status_code == 204
    row.refresh_from_db()
    assert (row.provider_status, row.provider_error_code) == (status, "30006")
    TextMessage.objects.exclude(pk=row.pk).delete()  # the profile shows the last text's fate
    client.force_login(accepted.referred_by)
    html = client.get(f"/people/{accepted.seeker.public_id}/").content.decode()
    assert "could not be delivered" in html and "landline" in html


def test_a_forged_status_report_changes_nothing(client, accepted):
    row = TextMessage.objects.filter(kind=TextMessage.Kind.REFERRAL_CONFIRMATION).get()
    response = post(
        client, "/sms/status/", {"MessageSid": row.provider_id, "MessageStatus": "failed"}, signature="forged"
    )
    assert response.status_code == 403
    row.refresh_from_db()
    assert row.provider_status == ""


def test_texts_ask_the_provider_to_report_delivery_to_the_status_endpoint(accepted):
    from sms.backends import outbox

    assert {text.status_callback for text in outbox} == {"https://referrals.example.org/sms/status/"}


def test_the_api_history_names_the_text_message_as_the_channel_of_the_change(client, accepted, committed):
    from rest_framework.test import APIClient

    with committed():
        reply(client, "1")
    api = APIClient()
    api.force_authenticate(accepted.referred_by)
    history = api.get(f"/api/v1/referrals/{accepted.public_id}/history/").json()
    events = history["results"] if isinstance(history, dict) else history
    change = next(event for event in events if event["kind"] == "status_changed" and event["to_status"] == "got_help")
    assert change["via"] == "text" and change["actor_display"] == "Seeker (text message)"
