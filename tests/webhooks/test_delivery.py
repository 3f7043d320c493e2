"""Webhooks: each change to an organization's referrals reaches its endpoints, signed, and is never lost."""

import base64
import hashlib
import hmac
import json
import socket
import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from referrals.errors import IllegalTransition
from referrals.services import referral_change_status
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.services import (
    verify,
    webhook_deliver,
    webhook_delivery_retry,
    webhook_endpoint_create,
    webhook_endpoint_set_active,
    webhook_requeue_due,
)

Status = WebhookDelivery.Status


def deliveries():
    return WebhookDelivery.objects.unscoped("tests look at every row").order_by("id")


def receiver_signature(secret: str, body: bytes) -> str:
    """What a partner's receiver computes for the deprecated header, written independently of our code: the key
    is the whsec_ secret's base64 bytes (for a secret made before Standard Webhooks, the old secret itself)."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    return "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()


@pytest.fixture
def endpoint(network, receiver):
    return webhook_endpoint_create(actor=network.provider_admin, organization=network.provider, url=receiver.url)


def make_due(delivery_ids=None):
    """Let the backoff time pass."""
    rows = deliveries() if delivery_ids is None else deliveries().filter(pk__in=delivery_ids)
    rows.update(next_attempt_at=timezone.now() - timedelta(minutes=5))


def test_a_status_change_reaches_the_endpoint_signed(network, receiver, endpoint, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        referral = network.refer()
    with django_capture_on_commit_callbacks(execute=True):
        referral_change_status(actor=network.claimer, referral=referral, to_status="accepted")

    types = [json.loads(request["body"])["type"] for request in receiver.requests]
    assert types == ["referral.created", "referral.consent_given", "referral.status_changed"]
    request = receiver.requests[-1]
    headers, body = request["headers"], request["body"]
    assert request["path"] == "/hooks/referrals"
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Referral-Signature"] == receiver_signature(endpoint.secret, body)
    assert verify(endpoint.secret, body, headers["X-Referral-Signature"])
    assert abs(int(headers["X-Referral-Timestamp"]) - timezone.now().timestamp()) < 3600
    assert headers["webhook-id"] == headers["X-Referral-Event-Id"]
    assert headers["webhook-timestamp"] == headers["X-Referral-Timestamp"]
    payload = json.loads(body)
    event = referral.events.get(to_status="accepted")
    assert headers["X-Referral-Event-Id"] == payload["id"] == str(event.public_id)
    assert headers["X-Referral-Event-Type"] == "referral.status_changed"
    assert payload["role"] == "receiver"
    assert payload["organization"]["id"] == str(network.provider.public_id)
    assert payload["referral"]["id"] == str(referral.public_id)
    assert (payload["referral"]["status"], payload["referral"]["fhir_task_status"]) == ("accepted", "accepted")
    assert payload["event"]["from_status"] == "sent" and payload["event"]["actor"] == "Sam O."
    # The seeker's details never travel in a webhook.
    assert network.seeker.last_name not in body.decode()
    assert deliveries().filter(status=Status.DELIVERED).count() == 3


def test_a_tampered_body_does_not_verify(network, receiver, endpoint, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        network.refer()
    request = receiver.requests[0]
    tampered = request["body"].replace(b'"routine"', b'"urgent"')
    assert tampered != request["body"]
    assert not verify(endpoint.secret, tampered, request["headers"]["X-Referral-Signature"])
    assert not verify("another secret", request["body"], request["headers"]["X-Referral-Signature"])


def test_both_sides_get_the_event_and_other_tenants_nothing(
    network, receiver, endpoint, django_capture_on_commit_callbacks
):
    site_endpoint = webhook_endpoint_create(
        actor=network.site_admin, organization=network.site, url=receiver.url + "?site"
    )
    outsider_endpoint = webhook_endpoint_create(
        actor=network.outsider_admin, organization=network.other_site, url=receiver.url + "?outsider"
    )
    with django_capture_on_commit_callbacks(execute=True):
        network.refer()
    by_endpoint = {endpoint.pk: 0, site_endpoint.pk: 0, outsider_endpoint.pk: 0}
    for delivery in deliveries():
        by_endpoint[delivery.endpoint_id] += 1
    assert by_endpoint == {endpoint.pk: 2, site_endpoint.pk: 2, outsider_endpoint.pk: 0}
    roles = {json.loads(r["body"])["role"] for r in receiver.requests if r["path"].endswith("?site")}
    assert roles == {"sender"}
    site_request = next(r for r in receiver.requests if r["path"].endswith("?site"))
    assert verify(site_endpoint.secret, site_request["body"], site_request["headers"]["X-Referral-Signature"])


def test_a_failing_receiver_is_retried_until_it_answers_and_nothing_is_lost(
    network, receiver, endpoint, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        referral = network.refer()
    receiver.requests.clear()
    receiver.answers = [500, 503, 502]  # down for three attempts, then up

    with django_capture_on_commit_callbacks(execute=True):
        referral_change_status(actor=network.claimer, referral=referral, to_status="accepted")
    delivery = deliveries().get(event_type="referral.status_changed")
    assert (delivery.status, delivery.attempts, delivery.last_error) == (Status.PENDING, 1, "HTTP 500")
    assert delivery.next_attempt_at > timezone.now()  # backoff: not sent again at once

    # A second change while the receiver is still down waits too.
    with django_capture_on_commit_callbacks(execute=True):
        referral_change_status(actor=network.claimer, referral=referral, to_status="in_service")
    assert webhook_requeue_due() == 0  # nothing is due yet
    for _ in range(3):
        make_due()
        with django_capture_on_commit_callbacks(execute=True):
            webhook_requeue_due()

    assert deliveries().filter(status=Status.DELIVERED).count() == deliveries().count()
    accepted = [r for r in receiver.requests if json.loads(r["body"])["referral"]["status"] == "accepted"]
    # Every attempt of one event carries the same id and body, each validly signed: receivers de-duplicate.
    assert len({r["headers"]["X-Referral-Event-Id"] for r in accepted}) == 1
    assert len({r["body"] for r in accepted}) == 1
    assert all(verify(endpoint.secret, r["body"], r["headers"]["X-Referral-Signature"]) for r in receiver.requests)
    received_types = {json.loads(r["body"])["event"]["to_status"] for r in receiver.requests}
    assert received_types == {"accepted", "in_service"}


def test_an_unreachable_receiver_is_retried(network, receiver, endpoint, django_capture_on_commit_callbacks):
    WebhookEndpoint.objects_across_tenants.filter(pk=endpoint.pk).update(url="https://127.0.0.1:9/closed")
    with django_capture_on_commit_callbacks(execute=True):
        network.refer()
    assert all(d.status == Status.PENDING and d.attempts == 1 and d.last_error for d in deliveries())
    WebhookEndpoint.objects_across_tenants.filter(pk=endpoint.pk).update(url=receiver.url)
    make_due()
    webhook_requeue_due()
    assert {d.status for d in deliveries()} == {Status.DELIVERED}


def test_after_the_last_attempt_a_delivery_is_kept_as_failed_and_can_be_sent_again(
    network, receiver, endpoint, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    receiver.answers = [500] * 4
    with django_capture_on_commit_callbacks(execute=True):
        network.refer()
    make_due()
    webhook_requeue_due()
    assert {(d.status, d.attempts) for d in deliveries()} == {(Status.FAILED, 2)}
    make_due()
    assert webhook_requeue_due() == 0  # the sweep leaves failed rows to a person

    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_delivery_retry(delivery_ids=deliveries().values_list("pk", flat=True)) == 2
    assert {d.status for d in deliveries()} == {Status.DELIVERED}


def test_a_worker_that_died_while_sending_is_replaced_after_its_lease(network, receiver, endpoint):
    with transaction.atomic():
        network.refer()  # on-commit tasks are not run: as if the broker lost them
    assert receiver.requests == []
    rows = deliveries()
    rows.update(status=Status.SENDING, lease_until=timezone.now() + timedelta(seconds=30), attempts=1)
    assert webhook_requeue_due() == 0  # a live lease: someone is sending
    rows.update(lease_until=timezone.now() - timedelta(seconds=1))
    assert webhook_requeue_due() == 2
    assert {d.status for d in deliveries()} == {Status.DELIVERED}
    assert len(receiver.requests) == 2


def test_delivering_twice_sends_once(network, receiver, endpoint, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        network.refer()
    delivery = deliveries().first()
    sent = len(receiver.requests)
    assert webhook_deliver(delivery_id=delivery.pk).outcome == "skipped"
    assert len(receiver.requests) == sent


def test_a_change_that_rolls_back_leaves_no_delivery(network, receiver, endpoint):
    referral = network.refer()
    before = deliveries().count()
    with pytest.raises(IllegalTransition):
        referral_change_status(actor=network.claimer, referral=referral, to_status="sent")
    with pytest.raises(RuntimeError), transaction.atomic():
        referral_change_status(actor=network.claimer, referral=referral, to_status="accepted")
        raise RuntimeError("the request failed after the change")
    assert deliveries().count() == before


def test_a_switched_off_endpoint_holds_its_events_until_switched_on(
    network, receiver, endpoint, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        referral = network.refer()
    webhook_endpoint_set_active(actor=network.provider_admin, endpoint=endpoint, active=False)
    sent = len(receiver.requests)
    with django_capture_on_commit_callbacks(execute=True):
        referral_change_status(actor=network.claimer, referral=referral, to_status="accepted")
    make_due()
    webhook_requeue_due()
    assert len(receiver.requests) == sent
    assert deliveries().filter(status=Status.PENDING).count() == 1

    webhook_endpoint_set_active(actor=network.provider_admin, endpoint=endpoint, active=True)
    webhook_requeue_due()
    assert json.loads(receiver.requests[-1]["body"])["event"]["to_status"] == "accepted"
    assert deliveries().filter(status=Status.PENDING).count() == 0


# --- Standard Webhooks: a receiver verifies our deliveries with the reference library ------------------------


def _standard_headers(request) -> dict:
    return {name.lower(): value for name, value in request["headers"].items()}


def test_a_real_delivery_verifies_with_the_standardwebhooks_library(
    network, receiver, endpoint, django_capture_on_commit_callbacks
):
    from standardwebhooks.webhooks import Webhook, WebhookVerificationError

    assert endpoint.secret.startswith("whsec_")
    with django_capture_on_commit_callbacks(execute=True):
        referral = network.refer()
    request = receiver.requests[0]
    headers, body = _standard_headers(request), request["body"]
    payload = Webhook(endpoint.secret).verify(body, headers)
    assert payload["id"] == headers["webhook-id"] and payload["referral"]["id"] == str(referral.public_id)
    assert headers["webhook-signature"].startswith("v1,")

    with pytest.raises(WebhookVerificationError):  # a changed body
        Webhook(endpoint.secret).verify(body.replace(b'"routine"', b'"urgent"'), headers)
    with pytest.raises(WebhookVerificationError):  # another endpoint's secret
        Webhook(
            webhook_endpoint_create(
                actor=network.provider_admin, organization=network.provider, url=receiver.url + "?other"
            ).secret
        ).verify(body, headers)
    with pytest.raises(WebhookVerificationError):  # a replay an hour later: the timestamp is signed
        Webhook(endpoint.secret).verify(body, {**headers, "webhook-timestamp": str(int(time.time()) - 3600)})


def test_every_attempt_of_an_event_has_the_same_webhook_id(
    network, receiver, endpoint, django_capture_on_commit_callbacks
):
    from standardwebhooks.webhooks import Webhook

    receiver.answers = [500]
    with django_capture_on_commit_callbacks(execute=True):
        network.refer()
    make_due()
    with django_capture_on_commit_callbacks(execute=True):
        webhook_requeue_due()
    created = [r for r in receiver.requests if json.loads(r["body"])["type"] == "referral.created"]
    assert len(created) == 2
    assert len({r["headers"]["webhook-id"] for r in created}) == 1
    for request in created:
        Webhook(endpoint.secret).verify(request["body"], _standard_headers(request))


def test_secrets_made_before_standard_webhooks_keep_working(
    network, receiver, endpoint, django_capture_on_commit_callbacks
):
    """The migration turns an old hex secret into a whsec_ secret with the same key: receivers that check the
    deprecated header with the old secret still verify, and the library verifies with the new form."""
    import importlib

    from django.apps import apps
    from standardwebhooks.webhooks import Webhook

    migration = importlib.import_module("webhooks.migrations.0003_standard_webhooks_secrets")
    old_secret = "ab" * 32
    WebhookEndpoint.objects_across_tenants.filter(pk=endpoint.pk).update(secret=old_secret)
    migration.to_standard_webhooks(apps, None)
    endpoint.refresh_from_db()
    assert endpoint.secret.startswith("whsec_")

    with django_capture_on_commit_callbacks(execute=True):
        network.refer()
    request = receiver.requests[0]
    legacy = "sha256=" + hmac.new(old_secret.encode(), request["body"], hashlib.sha256).hexdigest()
    assert request["headers"]["X-Referral-Signature"] == legacy
    Webhook(endpoint.secret).verify(request["body"], _standard_headers(request))


# --- The address that was checked is the address connected to ------------------------------------------------


class _Dns:
    """A resolver whose answer changes after the first question (DNS rebinding)."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.questions = []

    def __call__(self, host, port, *args, **kwargs):
        self.questions.append(host)
        address = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]


def test_a_dns_answer_that_changes_after_the_check_does_not_reach_the_inside(network, monkeypatch, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    endpoint = webhook_endpoint_create(
        actor=network.provider_admin, organization=network.provider, url="https://hooks.partner.example/referrals"
    )
    dns = _Dns("93.184.216.34", "127.0.0.1")
    connected = []

    def create_connection(address, *args, **kwargs):
        connected.append(address)
        raise ConnectionRefusedError("refused in the test")

    monkeypatch.setattr(socket, "getaddrinfo", dns)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    network.refer()
    delivery = deliveries().filter(endpoint=endpoint).first()
    webhook_deliver(delivery_id=delivery.pk)
    assert connected == [("93.184.216.34", 443)]  # the checked address, never a second lookup's answer
    assert dns.questions == ["hooks.partner.example"]


@pytest.mark.parametrize(
    "address",
    [
        "::ffff:10.0.0.1",
        "64:ff9b::a00:1",
        "64:ff9b::7f00:1",
        "2002:a00:1::1",
        "2002:7f00:1::",
        "64:ff9b:1::a00:1",
        "2001:0:4136:e378:8000:63bf:f5ff:fffe",
    ],
)
def test_ipv6_addresses_that_embed_a_private_ipv4_address_are_refused(address, network, monkeypatch, settings):
    from webhooks.validators import is_private_address

    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    assert is_private_address(address)
    endpoint = webhook_endpoint_create(
        actor=network.provider_admin, organization=network.provider, url="https://hooks.partner.example/referrals"
    )
    monkeypatch.setattr(socket, "getaddrinfo", _Dns(address))
    network.refer()
    delivery = deliveries().filter(endpoint=endpoint).first()
    webhook_deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert "private address" in delivery.last_error and delivery.status == Status.PENDING


@pytest.mark.parametrize("address", ["8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8", "2002:808:808::1"])
def test_public_addresses_are_not_refused(address):
    from webhooks.validators import is_private_address

    assert not is_private_address(address)


def test_the_host_name_is_used_for_tls_and_host_while_connecting_to_the_checked_address(
    network, receiver, monkeypatch, django_capture_on_commit_callbacks
):
    """The receiver's certificate names hooks.partner.test; the delivery connects to the address that name was
    resolved to (127.0.0.1 here) and still checks the certificate against the name and sends it as Host."""
    port = receiver.server.server_address[1]
    endpoint = webhook_endpoint_create(
        actor=network.provider_admin,
        organization=network.provider,
        url=f"https://hooks.partner.test:{port}/hooks/referrals",
    )
    monkeypatch.setattr(socket, "getaddrinfo", _Dns("127.0.0.1"))
    with django_capture_on_commit_callbacks(execute=True):
        network.refer()
    assert deliveries().filter(endpoint=endpoint, status=Status.DELIVERED).count() == 2
    assert receiver.requests[0]["headers"]["Host"] == f"hooks.partner.test:{port}"


def test_an_email_or_a_text_going_out_is_not_a_webhook_event(network, endpoint):
    """Deliveries are not changes of the referral: "email sent" and "text sent" lines are not POSTed."""
    from referrals.services import referral_record_delivery

    referral = network.refer()
    before = deliveries().count()
    for channel in ("email", "text"):
        assert referral_record_delivery(channel=channel, referral=referral, detail={"to": "Seeker"}) is not None
    assert deliveries().count() == before
