"""Webhooks: each change to an organization's referrals reaches its endpoints, signed, and is never lost."""

import hashlib
import hmac
import json
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
    """What a partner's receiver computes, written independently of our code."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


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


def test_both_sides_get_the_event_and_other_tenants_nothing(network, receiver, endpoint,
                                                            django_capture_on_commit_callbacks):
    site_endpoint = webhook_endpoint_create(actor=network.site_admin, organization=network.site,
                                            url=receiver.url + "?site")
    outsider_endpoint = webhook_endpoint_create(actor=network.outsider_admin, organization=network.other_site,
                                                url=receiver.url + "?outsider")
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
        network, receiver, endpoint, django_capture_on_commit_callbacks):
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
        network, receiver, endpoint, settings, django_capture_on_commit_callbacks):
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
        network, receiver, endpoint, django_capture_on_commit_callbacks):
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
