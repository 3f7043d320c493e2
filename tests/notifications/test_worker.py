"""Delivery through a real Celery worker process, a real Redis and PostgreSQL, under the failures a
deployment meets: a worker killed mid-send, the broker down when a change commits, a flaky provider.

Email, webhooks and texts go through the same delivery core (core.outbox): the same task, lease, backoff and
sweep. Texts go through the real ``twilio`` client to a loopback stand-in of Twilio's API
(tests/sms/twilio_standin.py, a thread of this process).

One Redis server of our own (on a free port, so stopping it never touches the machine's Redis) and one
worker serve the whole module. The worker runs referrals_site.settings.test with TEST_CELERY_BROKER_URL
(no eager mode) against the test database this process created, records email with
tests/notifications/mail_recorder.py, and posts webhooks to the HTTPS receiver of tests/webhooks/receiver.py
(a thread of this process, trusted through WEBHOOK_CA_FILE).
"""

import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from core import outbox
from notifications import services
from notifications.models import OutboxMessage
from referrals.models import Referral, ReferralEvent
from seekers.models import Seeker
from sms.models import TextMessage
from webhooks.models import WebhookDelivery
from webhooks.services import webhook_endpoint_create

from ..sms.twilio_standin import TWILIO_SETTINGS, TwilioStandIn
from .mail_recorder import sent_messages

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = shutil.which("redis-server")


def wait_for(condition, timeout=60.0, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {message}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    def __init__(self, port: int, directory: Path):
        self.port, self.directory, self.process = port, directory, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self.ping, 10, "redis-server to start")

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    def queue_length(self) -> int:
        with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
            sock.sendall(b"LLEN celery\r\n")
            return int(sock.recv(64).strip()[1:])


class Worker:
    def __init__(self, env: dict, log_path: Path):
        self.env, self.log_path, self.process = env, log_path, None

    def start(self):
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "referrals_site",
                "worker",
                "--loglevel=INFO",
                "--pool=prefork",
                "--concurrency=1",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"notify-test-{os.getpid()}@%h",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(lambda: b" ready." in self.log_path.read_bytes()[offset:], 60, "the worker to be ready")

    def kill(self):
        """SIGKILL to the worker and its pool child: no warm shutdown, no message returned to the queue."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture(scope="module")
def stack(django_db_setup, django_db_blocker, tmp_path_factory, certificate):
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql" or REDIS_SERVER is None:
        pytest.skip("the worker tests need PostgreSQL and redis-server")
    directory = tmp_path_factory.mktemp("worker")
    mail = directory / "mail"
    mail.mkdir()
    redis = RedisServer(free_port(), directory)
    redis.start()
    twilio = TwilioStandIn().start()  # texts: the worker's twilio client posts here, never to Twilio
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "referrals_site.settings.test",
        "DATABASE_URL": (
            f"postgres://{database['USER']}{password}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        ),
        "TEST_CELERY_BROKER_URL": redis.url,
        "TEST_EMAIL_BACKEND": "tests.notifications.mail_recorder.RecordingBackend",
        "TEST_MAIL_DIR": str(mail),
        "WEBHOOK_CA_FILE": str(certificate[0]),
        "WEBHOOK_ALLOW_PRIVATE_NETWORKS": "true",  # the receiver is on 127.0.0.1
        "TEST_SMS_BACKEND": "sms.backends.TwilioBackend",
        "TWILIO_API_BASE_URL": twilio.url,
        **TWILIO_SETTINGS,
    }
    worker = Worker(env, directory / "worker.log")
    worker.start()

    # This process publishes to the same Redis (instead of running tasks eagerly).
    from referrals_site.celery import app

    saved = {"broker_url": app.conf.broker_url, "task_always_eager": app.conf.task_always_eager}
    app.conf.broker_url, app.conf.task_always_eager = redis.url, False
    app._pool, app.amqp._producer_pool = None, None
    try:
        yield type(
            "Stack",
            (),
            {"redis": redis, "worker": worker, "mail": mail, "log": directory / "worker.log", "twilio": twilio},
        )
    finally:
        app.conf.broker_url, app.conf.task_always_eager = saved["broker_url"], saved["task_always_eager"]
        app._pool, app.amqp._producer_pool = None, None
        worker.stop()
        redis.stop()
        twilio.stop()
        if os.environ.get("NOTIFY_WORKER_LOG"):
            shutil.copy(directory / "worker.log", os.environ["NOTIFY_WORKER_LOG"])


@pytest.fixture
def mail(stack):
    for path in stack.mail.iterdir():
        path.unlink()
    yield stack.mail
    for path in stack.mail.iterdir():
        path.unlink()


def control(mail, **settings_):
    (mail / "control.json").write_text(json.dumps(settings_))


def all_sent(expected: int):
    return lambda: OutboxMessage.objects.filter(status=OutboxMessage.Status.SENT).count() == expected


def keys(mail) -> list[str]:
    return sorted(message["key"] for message in sent_messages(mail))


def test_a_referrals_emails_arrive_through_the_worker(stack, mail, network):
    referral = network.refer()

    wait_for(all_sent(2), message="both emails to be sent")
    assert sorted(to for message in sent_messages(mail) for to in message["to"]) == sorted(
        [network.claimer.email, network.seeker.email]
    )
    assert len(keys(mail)) == len(set(keys(mail))) == 2
    assert referral.events.filter(kind=ReferralEvent.Kind.EMAIL_SENT).count() == 2


def test_a_worker_killed_mid_send_delivers_every_email_exactly_once_after_restart(stack, mail, network):
    control(mail, hang_on_send=True)
    network.refer()
    wait_for((mail / "hanging").exists, message="the worker to be inside a send")
    stack.worker.kill()

    hanging = OutboxMessage.objects.get(status=OutboxMessage.Status.SENDING)
    assert sent_messages(mail) == []
    (mail / "control.json").unlink()
    # The lease of the dead attempt has run out by then; the sweep (a beat job) queues the message again. It
    # runs before the new worker starts: a sweep told a later time while a live worker is inside a send would
    # take that send's lease for run out and queue its row a second time (a test artefact, sent twice).
    later = timezone.now() + timedelta(seconds=settings.NOTIFICATION_SEND_LEASE_SECONDS + 60)
    services.outbox_requeue_stale(now=later)
    stack.worker.start()

    wait_for(all_sent(2), message="both emails to be sent after the restart")
    wait_for(lambda: stack.redis.queue_length() == 0, message="the queue to drain")
    assert services.outbox_requeue_stale(now=later) == 0
    assert len(keys(mail)) == len(set(keys(mail))) == 2
    hanging.refresh_from_db()
    assert hanging.attempts == 2


def test_a_change_committed_while_redis_is_down_is_kept_and_its_emails_follow(stack, mail, network):
    stack.redis.stop()
    referral = network.refer()  # commits; queuing its emails fails and is logged, not raised

    assert Referral.objects.unscoped("test").filter(pk=referral.pk).exists()
    assert OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).count() == 2
    stack.redis.start()
    # Each sweep runs a grace period after the last one: a sweep that could not reach the broker yet has set
    # the rows' next attempt to its own "now", and a later sweep at the same moment would find nothing stale.
    sweeps = itertools.count(1)
    grace = timedelta(seconds=settings.NOTIFICATION_PENDING_GRACE_SECONDS + 60)
    wait_for(
        lambda: services.outbox_requeue_stale(now=timezone.now() + next(sweeps) * grace) == 2,
        30,
        "the sweep to reach the broker",
    )

    wait_for(all_sent(2), 60, "both emails to be sent once Redis is back")
    assert len(keys(mail)) == len(set(keys(mail))) == 2


def test_a_provider_failing_twice_then_succeeding_sends_one_email(stack, mail, network):
    control(mail, fail_transient=2)
    network.refer()

    wait_for(all_sent(2), message="both emails to be sent after the retries")
    assert len(keys(mail)) == len(set(keys(mail))) == 2
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {3}


# ---------------------------------------------------------------------------------------------------------
# Webhooks through the same core


def deliveries():
    return WebhookDelivery.objects_across_tenants.order_by("pk")


def all_delivered(expected: int):
    return lambda: deliveries().filter(status=WebhookDelivery.Status.DELIVERED).count() == expected


@pytest.fixture
def endpoint(network, receiver):
    return webhook_endpoint_create(actor=network.provider_admin, organization=network.provider, url=receiver.url)


def answered(receiver) -> dict:
    """Event id -> the statuses the receiver answered its requests with (None: no answer)."""
    by_event = {}
    for request in receiver.requests:
        by_event.setdefault(request["headers"]["X-Referral-Event-Id"], []).append(request["status"])
    return by_event


def test_a_referrals_webhooks_arrive_through_the_worker(stack, mail, network, endpoint, receiver):
    network.refer()

    wait_for(all_delivered(2), message="both webhook deliveries")
    wait_for(all_sent(2), message="both emails")
    assert sorted(answered(receiver).values()) == [[200], [200]]
    assert {delivery.attempts for delivery in deliveries()} == {1}


def test_a_receiver_failing_twice_then_answering_gets_each_event_accepted_once(
    stack, mail, network, endpoint, receiver
):
    receiver.answers = [500, 503]
    network.refer()

    wait_for(all_delivered(2), message="both webhook deliveries after the retries (countdowns of the worker)")
    statuses = answered(receiver)
    assert len(statuses) == 2
    assert all(answers.count(200) == 1 and answers[-1] == 200 for answers in statuses.values())
    assert sum(delivery.attempts for delivery in deliveries()) == 4


def test_a_worker_killed_mid_post_delivers_every_event_after_restart(stack, mail, network, endpoint, receiver):
    """The at-least-once boundary: the receiver had the body when the worker died, so it sees that event
    twice, with the same id and body (receivers de-duplicate on the id); our books show one delivery."""
    receiver.hang = True
    network.refer()
    assert receiver.hanging.wait(60), "the worker to be inside a POST"
    stack.worker.kill()
    receiver.release.set()

    hanging = deliveries().get(status=WebhookDelivery.Status.SENDING)
    stack.worker.start()
    later = timezone.now() + timedelta(seconds=settings.NOTIFICATION_SEND_LEASE_SECONDS + 60)
    for channel in outbox.channels():  # what the beat's sweep does, at a time past every lease
        outbox.sweep(channel, now=later)

    wait_for(all_delivered(2), message="both webhook deliveries after the restart")
    wait_for(all_sent(2), message="both emails after the restart")
    hanging.refresh_from_db()
    assert hanging.attempts == 2
    requests = [r for r in receiver.requests if r["headers"]["X-Referral-Event-Id"] == str(hanging.event_id)]
    assert [r["status"] for r in requests] == [None, 200]
    assert len({r["body"] for r in requests}) == 1


def test_both_channels_rows_committed_while_redis_is_down_are_delivered_by_the_sweep(
    stack, mail, network, endpoint, receiver
):
    stack.redis.stop()
    network.refer()  # commits; queuing fails and is logged, not raised

    assert deliveries().filter(status=WebhookDelivery.Status.PENDING).count() == 2
    assert OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).count() == 2
    stack.redis.start()
    sweeps = itertools.count(1)
    grace = timedelta(seconds=settings.NOTIFICATION_PENDING_GRACE_SECONDS + 60)

    def swept_both():
        now = timezone.now() + next(sweeps) * grace
        swept = {channel.name: outbox.sweep(channel, now=now) for channel in outbox.channels()}
        return (swept["email"], swept["webhooks"]) == (2, 2)

    wait_for(swept_both, 30, "the sweep to reach the broker")
    wait_for(all_delivered(2), 60, "both webhook deliveries once Redis is back")
    wait_for(all_sent(2), 60, "both emails once Redis is back")
    assert sorted(answered(receiver).values()) == [[200], [200]]


# ---------------------------------------------------------------------------------------------------------
# Text messages through the same core, to the loopback stand-in of Twilio's API (the twilio client pointed at it)


def texts_sent(expected: int):
    return lambda: TextMessage.objects.filter(status=TextMessage.Status.SENT).count() == expected


@pytest.fixture
def texting_seeker(network, stack):
    stack.twilio.requests.clear()
    stack.twilio.answers, stack.twilio.hang = [], False
    stack.twilio.hanging.clear()
    stack.twilio.release.clear()
    Seeker.objects_across_tenants.filter(pk=network.seeker.pk).update(contact_preference="text", phone="+13125550142")
    network.seeker.refresh_from_db()
    return network.seeker


def test_a_text_goes_through_the_worker_to_the_provider(stack, mail, network, texting_seeker):
    referral = network.refer()

    wait_for(texts_sent(1), message="the confirmation text")
    [sent] = stack.twilio.sent()
    assert sent["To"] == "+13125550142" and "/t/" in sent["Body"]
    wait_for(
        lambda: referral.events.filter(kind=ReferralEvent.Kind.TEXT_SENT).count() == 1,
        message="the history's 'text sent'",
    )


def test_a_worker_killed_mid_send_sends_the_text_exactly_once_after_restart(stack, mail, network, texting_seeker):
    stack.twilio.hang = True
    network.refer()
    assert stack.twilio.hanging.wait(60), "the worker to be inside a send"
    stack.worker.kill()
    stack.twilio.hang = False
    stack.twilio.release.set()

    hanging = TextMessage.objects.get(status=TextMessage.Status.SENDING)
    # The sweep before the new worker starts, as for email above.
    later = timezone.now() + timedelta(seconds=settings.SMS_SEND_LEASE_SECONDS + 60)
    for channel in outbox.channels():
        outbox.sweep(channel, now=later)
    stack.worker.start()

    wait_for(texts_sent(1), message="the text after the restart")
    assert len(stack.twilio.sent()) == 1  # the provider never answered the dead worker's request
    hanging.refresh_from_db()
    assert hanging.attempts == 2


def test_a_text_committed_while_redis_is_down_is_sent_once_by_the_sweep(stack, mail, network, texting_seeker):
    stack.redis.stop()
    network.refer()  # commits; queuing fails and is logged, not raised

    assert TextMessage.objects.filter(status=TextMessage.Status.PENDING).count() == 1
    stack.redis.start()
    sweeps = itertools.count(1)
    grace = timedelta(seconds=settings.SMS_PENDING_GRACE_SECONDS + 60)
    wait_for(
        lambda: outbox.sweep("text", now=timezone.now() + next(sweeps) * grace) == 1,
        30,
        "the sweep to reach the broker",
    )

    wait_for(texts_sent(1), 60, "the text once Redis is back")
    assert len(stack.twilio.sent()) == 1


def test_a_provider_failing_twice_then_succeeding_sends_one_text(stack, mail, network, texting_seeker):
    stack.twilio.answers = [(500, 20500), (503, 20503)]
    network.refer()

    wait_for(texts_sent(1), message="the text after the retries")
    assert len(stack.twilio.sent()) == 1
    assert TextMessage.objects.get().attempts == 3
