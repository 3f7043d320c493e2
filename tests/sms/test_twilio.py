"""The Twilio backend against a loopback stand-in of Twilio's API (tests/sms/twilio_standin.py): what it sends,
and how the provider's errors are classified (issue 14 item 5)."""

from unittest import mock

import pytest

from core import outbox
from sms.models import TextMessage


def _queued_text(texting):
    with mock.patch("core.tasks.deliver_outbox_row.delay_on_commit"):
        texting.refer()
    return TextMessage.objects.get()


def test_a_text_goes_to_twilio_with_the_account(texting, twilio, settings):
    row = _queued_text(texting)
    assert outbox.deliver("text", row.pk).outcome == outbox.Outcome.SENT

    [request] = twilio.requests
    assert request["path"] == f"/2010-04-01/Accounts/{settings.TWILIO_ACCOUNT_SID}/Messages.json"
    assert request["auth"].startswith("Basic ")
    assert request["form"]["To"] == "+13125550142" and request["form"]["From"] == "+13125550100"
    assert request["form"]["Body"] == row.body
    row.refresh_from_db()
    assert row.status == "sent" and row.provider_id.startswith("SM")


def test_a_messaging_service_replaces_the_from_number(texting, twilio, settings):
    settings.TWILIO_MESSAGING_SERVICE_SID = "MG" + "1" * 32
    row = _queued_text(texting)
    outbox.deliver("text", row.pk)
    assert twilio.requests[0]["form"]["MessagingServiceSid"] == settings.TWILIO_MESSAGING_SERVICE_SID
    assert "From" not in twilio.requests[0]["form"]


def test_twilio_failing_twice_then_accepting_sends_one_text(texting, twilio):
    twilio.answers = [(500, 20500), (503, 20503)]
    row = _queued_text(texting)
    for _ in range(3):
        outbox.deliver("text", row.pk)
        TextMessage.objects.filter(pk=row.pk, status="pending").update(next_attempt_at=row.created_at)
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 3)
    assert len(twilio.sent()) == 1


@pytest.mark.parametrize(
    "code,words", [(21614, "not a mobile number"), (21211, "not a valid number"), (21610, "replied STOP")]
)
def test_a_landline_or_invalid_number_fails_at_once_and_shows_on_the_profile(texting, twilio, client, code, words):
    twilio.answers = [(400, code)]
    row = _queued_text(texting)
    assert outbox.deliver("text", row.pk).outcome == outbox.Outcome.FAILED
    row.refresh_from_db()
    assert (row.status, row.attempts, row.provider_error_code) == ("failed", 1, str(code))

    client.force_login(texting.referrer)
    html = client.get(f"/people/{texting.seeker.public_id}/").content.decode()
    assert "could not be delivered" in html and words in html


def test_unreachable_twilio_is_a_transient_failure(texting, settings):
    settings.SMS_BACKEND = "sms.backends.TwilioBackend"
    settings.TWILIO_API_BASE_URL = "http://127.0.0.1:9"  # nothing listens on the discard port
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = "AC" + "0" * 32, "token"
    settings.TWILIO_FROM_NUMBER = "+13125550100"
    row = _queued_text(texting)
    assert outbox.deliver("text", row.pk).outcome == outbox.Outcome.RETRY


def test_one_text_costs_a_fixed_handful_of_statements(texting, twilio, django_assert_max_num_queries):
    """The claim is one UPDATE (its row found FOR UPDATE SKIP LOCKED) and one read that also says whether the
    number replied STOP; the "sent" mark and the history line share one transaction. The "text sent" line is
    not a webhook event and leaves Inbound Referrals' kept pages alone (issue 14, speed)."""
    row = _queued_text(texting)
    # claim UPDATE, claim read; then the "done" transaction: (BEGIN,) UPDATE, SAVEPOINT, INSERT, RELEASE (, COMMIT)
    with django_assert_max_num_queries(8) as captured:
        assert outbox.deliver("text", row.pk).outcome == outbox.Outcome.SENT
    statements = [query["sql"] for query in captured.captured_queries]
    assert sum("sms_textoptout" in sql for sql in statements) == 1  # inside the claim's read, not a query of its own
    assert not [sql for sql in statements if "webhooks_" in sql]


def test_a_number_that_replied_stop_after_the_text_was_written_is_not_texted(texting, twilio):
    from sms.models import TextOptOut

    row = _queued_text(texting)
    TextOptOut.objects.create(number=row.to_number)
    assert outbox.deliver("text", row.pk).outcome == outbox.Outcome.FAILED
    assert twilio.requests == []


def test_the_client_reads_the_proxy_environment_once(monkeypatch, settings):
    """requests would walk the environment on every text; the backend reads it when it is made."""
    from sms.backends import TwilioBackend

    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    settings.TWILIO_API_BASE_URL = ""
    backend = TwilioBackend()
    http = backend.client.http_client
    assert http.session.trust_env is False
    assert http.proxy.get("https") == "http://proxy.internal:3128"
