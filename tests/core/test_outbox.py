"""The delivery core (core.outbox), exercised through every channel that uses it: email, webhooks and texts.

Each test runs once per channel against its real model, its real ``send`` and its real admin; only the far
end is replaced: Django's locmem mail backend for email, the HTTP POST for webhooks, sms's locmem backend for texts (the real HTTPS
exchange is tested in tests/webhooks; the real worker and broker in tests/notifications/test_worker.py).
"""

from __future__ import annotations

import smtplib
import threading
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from core import outbox
from notifications.models import OutboxMessage
from referrals.services import referral_change_status
from seekers.models import Seeker
from sms import backends as sms_backends
from sms.backends import SendFailed
from sms.models import TextMessage
from webhooks.models import WebhookDelivery
from webhooks.services import DeliveryError, webhook_endpoint_create


def refer_without_queueing(network, program):
    """A referral whose outbox rows wait, pending, as if the broker had lost their tasks."""
    with mock.patch("core.tasks.deliver_outbox_row.delay_on_commit"), transaction.atomic():
        return network.refer(program=program)


class EmailHarness:
    name = "email"
    model = OutboxMessage
    admin_url = "/admin/notifications/outboxmessage/"
    retried = "2 failed message(s) queued again (others were not failed)."
    transient_error = smtplib.SMTPServerDisconnected("the provider hung up")

    def __init__(self, network):
        self.network = network

    def make_rows(self, program=None) -> list[int]:
        """Two rows waiting to be sent (the referral's emails to the claimer and the seeker)."""
        referral = refer_without_queueing(self.network, program)
        return list(OutboxMessage.objects.filter(referral=referral).order_by("pk").values_list("pk", flat=True))

    def sent(self) -> int:
        return len(mail.outbox)

    @contextmanager
    def raising(self, error):
        with mock.patch("django.core.mail.EmailMessage.send", side_effect=error):
            yield


class WebhookHarness:
    name = "webhooks"
    model = WebhookDelivery
    admin_url = "/admin/webhooks/webhookdelivery/"
    retried = "2 delivery(ies) queued again (delivered ones are left alone)."
    transient_error = DeliveryError("connection refused")

    def __init__(self, network):
        self.network = network
        self.posts = []
        webhook_endpoint_create(
            actor=network.provider_admin, organization=network.provider, url="https://hooks.example.org/referrals"
        )

    def make_rows(self, program=None) -> list[int]:
        """Two rows waiting to be sent (the referral's "created" and "consent given" events)."""
        referral = refer_without_queueing(self.network, program)
        return list(
            WebhookDelivery.objects_across_tenants.filter(referral=referral).order_by("pk").values_list("pk", flat=True)
        )

    def post(self, delivery):
        self.posts.append(delivery.pk)
        return 200

    def sent(self) -> int:
        return len(self.posts)

    @contextmanager
    def raising(self, error):
        with mock.patch("webhooks.services._post", side_effect=error):
            yield


class TextHarness:
    name = "text"
    model = TextMessage
    admin_url = "/admin/sms/textmessage/"
    retried = "2 failed text(s) queued again (others were not failed)."
    transient_error = SendFailed("the provider answered 503", transient=True)

    def __init__(self, network):
        self.network = network
        Seeker.objects_across_tenants.filter(pk=network.seeker.pk).update(
            contact_preference="text", phone="+13125550142"
        )
        network.seeker.refresh_from_db()
        sms_backends.outbox.clear()

    def make_rows(self, program=None) -> list[int]:
        """Two texts waiting to be sent (the confirmation, and the program's acceptance)."""
        referral = refer_without_queueing(self.network, program)
        with mock.patch("core.tasks.deliver_outbox_row.delay_on_commit"), transaction.atomic():
            claimer = self.network.other_claimer if program == self.network.other_program else self.network.claimer
            referral_change_status(actor=claimer, referral=referral, to_status="accepted")
        return list(TextMessage.objects.filter(referral=referral).order_by("pk").values_list("pk", flat=True))

    def sent(self) -> int:
        return len(sms_backends.outbox)

    @contextmanager
    def raising(self, error):
        with mock.patch("sms.backends.LocmemBackend.send", side_effect=error):
            yield


@pytest.fixture(params=["email", "webhooks", "text"])
def harness(request, network):
    if request.param == "email":
        yield EmailHarness(network)
        return
    if request.param == "text":
        yield TextHarness(network)
        sms_backends.outbox.clear()
        return
    harness = WebhookHarness(network)
    with mock.patch("webhooks.services._post", side_effect=harness.post):
        yield harness


def rows(harness):
    return outbox.get_channel(harness.name).rows()


def row(harness, pk):
    return rows(harness).get(pk=pk)


pytestmark = pytest.mark.django_db


def test_every_channel_is_registered_with_its_model():
    assert {channel.name: channel.model for channel in outbox.channels()} == {
        "email": OutboxMessage,
        "webhooks": WebhookDelivery,
        "text": TextMessage,
    }


def test_a_claim_takes_the_row_under_a_lease_and_a_second_claim_gets_nothing(harness):
    first, _ = harness.make_rows()
    channel = outbox.get_channel(harness.name)
    before = timezone.now()

    claimed = outbox.claim(channel, first)
    assert claimed is not None
    stored = row(harness, first)
    assert (stored.status, stored.attempts) == ("sending", 1)
    lease = timedelta(seconds=channel.lease_seconds())
    assert before + lease <= stored.lease_until <= timezone.now() + lease
    assert outbox.claim(channel, first) is None  # a live lease: another worker is sending it
    assert outbox.deliver(channel, first).outcome == outbox.Outcome.SKIPPED
    assert harness.sent() == 0


def test_a_row_whose_lease_expired_is_claimed_again_and_the_dead_attempt_cannot_overwrite_it(harness):
    first, _ = harness.make_rows()
    channel = outbox.get_channel(harness.name)
    dead = outbox.claim(channel, first)
    rows(harness).filter(pk=first).update(lease_until=timezone.now() - timedelta(seconds=1))

    again = outbox.claim(channel, first)
    assert again is not None and again.attempts == 2
    outbox._record_failure(channel, dead, RuntimeError("the dead worker wakes up"))  # too late: not its attempt
    stored = row(harness, first)
    assert (stored.status, stored.attempts, stored.last_error) == ("sending", 2, "")


def test_delivering_twice_sends_once(harness):
    ids = harness.make_rows()
    for row_id in ids * 2:
        outbox.deliver(harness.name, row_id)

    assert harness.sent() == 2
    assert {row(harness, pk).status for pk in ids} == {harness.model.DONE_STATUS}


@pytest.mark.django_db(transaction=True)
def test_a_row_locked_by_another_worker_is_skipped_not_waited_for(harness):
    """SKIP LOCKED: while another worker holds the row's lock, a claim gives up at once instead of waiting."""
    first, _ = harness.make_rows()
    channel = outbox.get_channel(harness.name)
    locked, release = threading.Event(), threading.Event()

    def other_worker():
        try:
            with transaction.atomic():
                harness.model._default_manager.select_for_update().get(pk=first)
                locked.set()
                release.wait(10)  # without SKIP LOCKED the claim below would wait for this, then succeed
        finally:
            connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert locked.wait(30)
        assert outbox.claim(channel, first) is None
        assert row(harness, first).status == "pending"
    finally:
        release.set()
        thread.join(30)
    assert outbox.claim(channel, first) is not None


@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_the_same_row_at_once_get_it_once(harness):
    first, _ = harness.make_rows()
    channel = outbox.get_channel(harness.name)
    start = threading.Barrier(2)
    claimed = []

    def worker():
        try:
            start.wait(10)
            claimed.append(outbox.claim(channel, first))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert len([result for result in claimed if result is not None]) == 1
    assert row(harness, first).attempts == 1


def test_the_backoff_doubles_with_jitter_within_its_bounds(harness, settings):
    settings.NOTIFICATION_RETRY_BASE_SECONDS = settings.WEBHOOK_RETRY_BASE_SECONDS = settings.SMS_RETRY_BASE_SECONDS = (
        10
    )
    settings.NOTIFICATION_RETRY_MAX_SECONDS = settings.WEBHOOK_RETRY_MAX_SECONDS = settings.SMS_RETRY_MAX_SECONDS = 600
    channel = outbox.get_channel(harness.name)
    for attempt, ceiling in [(1, 10), (2, 20), (3, 40), (6, 320), (7, 600), (12, 600)]:
        with mock.patch("core.outbox.random.uniform", side_effect=lambda low, high: low):
            assert channel.retry_delay(attempt) == ceiling / 2
        with mock.patch("core.outbox.random.uniform", side_effect=lambda low, high: high):
            assert channel.retry_delay(attempt) == ceiling
        drawn = {channel.retry_delay(attempt) for _ in range(50)}
        assert all(ceiling / 2 <= delay <= ceiling for delay in drawn)
        assert len(drawn) > 1  # jitter: workers that failed together do not come back together


def test_a_transient_failure_waits_its_backoff_and_then_sends(harness, settings):
    settings.NOTIFICATION_RETRY_BASE_SECONDS = settings.WEBHOOK_RETRY_BASE_SECONDS = settings.SMS_RETRY_BASE_SECONDS = (
        60
    )
    first, _ = harness.make_rows()
    before = timezone.now()
    with harness.raising(harness.transient_error):
        delivery = outbox.deliver(harness.name, first)

    assert delivery.outcome == outbox.Outcome.RETRY and 30 <= delivery.retry_in <= 60
    stored = row(harness, first)
    assert (stored.status, stored.attempts, stored.lease_until) == ("pending", 1, None)
    assert before + timedelta(seconds=30) <= stored.next_attempt_at <= timezone.now() + timedelta(seconds=60)
    assert str(harness.transient_error) in stored.last_error
    assert outbox.deliver(harness.name, first).outcome == outbox.Outcome.SKIPPED  # not due yet
    rows(harness).filter(pk=first).update(next_attempt_at=timezone.now())
    assert outbox.deliver(harness.name, first).outcome == outbox.Outcome.SENT
    assert harness.sent() == 1


def test_after_the_last_attempt_a_row_is_kept_as_failed(harness, settings):
    settings.NOTIFICATION_MAX_ATTEMPTS = settings.WEBHOOK_MAX_ATTEMPTS = settings.SMS_MAX_ATTEMPTS = 2
    first, _ = harness.make_rows()
    with harness.raising(harness.transient_error):
        assert outbox.deliver(harness.name, first).outcome == outbox.Outcome.RETRY
        rows(harness).filter(pk=first).update(next_attempt_at=timezone.now())
        assert outbox.deliver(harness.name, first).outcome == outbox.Outcome.FAILED

    stored = row(harness, first)
    assert (stored.status, stored.attempts) == ("failed", 2)
    assert outbox.sweep(harness.name, now=timezone.now() + timedelta(days=1)) == 1  # only the other row
    assert row(harness, first).status == "failed"  # the sweep leaves failed rows to a person


def test_a_row_may_wait_without_spending_an_attempt(harness):
    """``Defer`` (quiet hours for text messages): the row waits until the time given, attempts unchanged."""
    first, _ = harness.make_rows()
    later = timezone.now() + timedelta(hours=9)
    with harness.raising(outbox.Defer(later)):
        delivery = outbox.deliver(harness.name, first)

    assert delivery.outcome == outbox.Outcome.DEFERRED
    assert 9 * 3600 - 60 <= delivery.retry_in <= 9 * 3600
    stored = row(harness, first)
    assert (stored.status, stored.attempts, stored.next_attempt_at) == ("pending", 0, later)
    assert outbox.sweep(harness.name, now=later - timedelta(minutes=10)) == 1  # the other row, never queued
    assert row(harness, first).status == "pending"


def test_the_sweep_queues_what_the_broker_lost_and_what_a_dead_worker_held(harness):
    lost, held = harness.make_rows()
    fresh, alive = harness.make_rows(program=harness.network.other_program)
    channel = outbox.get_channel(harness.name)
    now = timezone.now()
    rows(harness).filter(pk=lost).update(next_attempt_at=now - timedelta(hours=1))
    rows(harness).filter(pk=held).update(status="sending", attempts=1, lease_until=now - timedelta(seconds=1))
    rows(harness).filter(pk=alive).update(status="sending", attempts=1, lease_until=now + timedelta(minutes=5))
    rows(harness).filter(pk=fresh).update(next_attempt_at=now)  # its task may still be on its way

    assert outbox.sweep(channel, now=now) == 2
    assert harness.sent() == 2
    assert {pk: row(harness, pk).status for pk in (lost, held, fresh, alive)} == {
        lost: channel.model.DONE_STATUS,
        held: channel.model.DONE_STATUS,
        fresh: "pending",
        alive: "sending",
    }
    assert row(harness, held).attempts == 2
    assert outbox.sweep(channel, now=now) == 0


def test_a_sweep_that_cannot_reach_the_broker_stops_and_the_next_one_tries_again(harness):
    lost, other = harness.make_rows()
    rows(harness).update(next_attempt_at=timezone.now() - timedelta(hours=1))
    with mock.patch("core.tasks.deliver_outbox_row.delay", return_value=None):
        assert outbox.sweep(harness.name) == 0

    later = timezone.now() + timedelta(hours=1)
    assert outbox.sweep(harness.name, now=later) == 2
    assert harness.sent() == 2


def test_the_admin_retry_sends_failed_rows_again_through_the_core(
    harness, client, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_MAX_ATTEMPTS = settings.WEBHOOK_MAX_ATTEMPTS = settings.SMS_MAX_ATTEMPTS = 1
    ids = harness.make_rows()
    with harness.raising(harness.transient_error):
        assert {outbox.deliver(harness.name, pk).outcome for pk in ids} == {outbox.Outcome.FAILED}
    admin = get_user_model().objects.create_superuser(
        email="root@network.example", password="x", first_name="Root", last_name="Admin"
    )
    client.force_login(admin)
    listing = client.get(f"{harness.admin_url}?status__exact=failed").content.decode()
    assert str(harness.transient_error)[:40] in listing

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(harness.admin_url, {"action": "retry", "_selected_action": ids}, follow=True)
    assert response.status_code == 200
    assert harness.retried in response.content.decode()
    assert {row(harness, pk).status for pk in ids} == {harness.model.DONE_STATUS}
    assert {row(harness, pk).attempts for pk in ids} == {1}  # counted afresh
    assert harness.sent() == 2


def test_retry_now_leaves_rows_being_sent_and_done_alone(harness, django_capture_on_commit_callbacks):
    sending, done = harness.make_rows()
    outbox.deliver(harness.name, done)
    outbox.claim(harness.name, sending)
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.retry_now(harness.name, [sending, done]) == 0
    assert row(harness, sending).status == "sending"
    assert harness.sent() == 1


def test_an_unknown_channel_is_refused():
    with pytest.raises(LookupError):
        outbox.deliver("carrier_pigeon", 1)
