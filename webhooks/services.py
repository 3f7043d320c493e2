"""Webhooks: endpoints, the delivery outbox, signing, delivery with retries, and the sweep.

Guarantees:
- ``webhook_event_record`` runs inside the transaction of the referral change (it is called by
  referrals.services.record_event): each endpoint of the referring organization and of the program's
  organization gets one delivery row, with the exact JSON body, committed or rolled back with the change.
  A unique key (event id + endpoint id) means an event is never queued twice for one endpoint.
- ``webhook_deliver`` (the Celery task calls it with the row's id) claims the row under a lease, POSTs it
  signed, and records the outcome: 2xx is delivered; anything else is retried with exponential backoff
  (and jitter) up to WEBHOOK_MAX_ATTEMPTS, then marked failed and kept, so a network admin can retry it.
  Nothing is deleted, so no event is lost when the receiver, the worker or the broker fails.
- ``webhook_requeue_due`` (the periodic sweep) queues every due row again: rows whose task was lost, rows
  whose sending worker died (expired lease), and rows held while their endpoint was switched off.

Delivery is at least once: receivers de-duplicate on ``X-Referral-Event-Id`` (also the body's ``id``).
Signature: ``X-Referral-Signature: sha256=<hex HMAC-SHA256 of the raw body with the endpoint's secret>``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import random
import socket
import ssl
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Organization
from core.errors import InvalidInput, NotAllowed
from referrals.models import ReferralEvent
from referrals.statuses import FHIR_TASK_STATUS, Status

from . import policies
from .models import WebhookDelivery, WebhookEndpoint, new_secret
from .validators import is_private_address, validate_webhook_url

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Referral-Signature"
TIMESTAMP_HEADER = "X-Referral-Timestamp"
EVENT_ID_HEADER = "X-Referral-Event-Id"
EVENT_TYPE_HEADER = "X-Referral-Event-Type"
DELIVERY_ID_HEADER = "X-Referral-Delivery-Id"
TIMEOUT_SECONDS = 10
LEASE = timedelta(seconds=60)
FIRST_RETRY_SECONDS = 30
LONGEST_RETRY_SECONDS = 6 * 3600
# Bookkeeping events that are not changes to the referral.
SILENT_EVENTS = {ReferralEvent.Kind.EMAIL_SENT, ReferralEvent.Kind.EMAIL_LINK_USED}


class WebhookNotAllowed(NotAllowed):
    """Only an organization admin manages the organization's webhooks."""


# ---------------------------------------------------------------------------------------------------------
# Endpoints


def _require_admin(actor, organization: Organization) -> None:
    if not policies.can(actor, "manage_webhooks", organization):
        raise WebhookNotAllowed("Only an organization admin can manage its webhooks.")


@transaction.atomic
def webhook_endpoint_create(*, actor, organization: Organization, url: str, description: str = "") -> WebhookEndpoint:
    """An organization admin registers an HTTPS endpoint; it gets its own signing secret."""
    _require_admin(actor, organization)
    try:
        validate_webhook_url(url)
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages), field="url", code=error.code or "invalid") from None
    return WebhookEndpoint.objects_across_tenants.create(organization=organization, url=url,
                                                         description=description.strip()[:200], created_by=actor)


@transaction.atomic
def webhook_endpoint_set_active(*, actor, endpoint: WebhookEndpoint, active: bool) -> WebhookEndpoint:
    """Switches an endpoint off (its new deliveries wait) or on again (the sweep sends what waited)."""
    _require_admin(actor, endpoint.organization)
    endpoint.active = active
    endpoint.save(update_fields=["active"])
    return endpoint


@transaction.atomic
def webhook_endpoint_rotate_secret(*, actor, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    _require_admin(actor, endpoint.organization)
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret"])
    return endpoint


@transaction.atomic
def webhook_endpoint_delete(*, actor, endpoint: WebhookEndpoint) -> None:
    """Removes the endpoint and its deliveries (the organization asked for them no longer)."""
    _require_admin(actor, endpoint.organization)
    endpoint.delete()


# ---------------------------------------------------------------------------------------------------------
# Events -> outbox rows


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str) -> bool:
    """What a receiver does (in its own language): recompute and compare in constant time."""
    return hmac.compare_digest(sign(secret, body), signature or "")


def _organization_json(organization) -> dict:
    return {"id": str(organization.public_id), "name": organization.name}


def event_payload(*, event: ReferralEvent, endpoint_organization) -> dict:
    """The JSON an endpoint receives. No personal details of the seeker: receivers that may see them read
    the referral through the API or FHIR with their own credentials."""
    referral = event.referral
    program = referral.program
    site_url = settings.SITE_URL.rstrip("/")
    return {
        "id": str(event.public_id),
        "type": f"referral.{event.kind}",
        "occurred_at": event.created_at.isoformat(),
        "organization": _organization_json(endpoint_organization),
        "role": "receiver" if program.organization_id == endpoint_organization.pk else "sender",
        "referral": {
            "id": str(referral.public_id),
            "status": referral.status,
            "status_reason": referral.status_reason,
            "fhir_task_status": FHIR_TASK_STATUS[Status(referral.status)],
            "version": referral.version,
            "urgency": referral.urgency,
            "sent_at": referral.sent_at.isoformat(),
            "updated_at": referral.updated_at.isoformat(),
            "program": {"id": str(program.public_id), "name": program.name},
            "program_organization": _organization_json(program.organization),
            "referring_organization": _organization_json(referral.organization),
            "api_url": f"{site_url}/api/v1/referrals/{referral.public_id}/",
            "fhir_task_url": f"{site_url}/fhir/Task/{referral.public_id}",
        },
        "event": {
            "kind": event.kind,
            "from_status": event.from_status,
            "to_status": event.to_status,
            "reason": event.reason,
            "actor": event.actor_display,
            "actor_organization": event.actor_organization,
            "via": event.via,
        },
    }


def webhook_event_record(*, event: ReferralEvent) -> list[WebhookDelivery]:
    """Writes one delivery per endpoint of the referral's two organizations (inside the caller's
    transaction) and queues their delivery for after the commit."""
    if event.kind in SILENT_EVENTS:
        return []
    referral = event.referral
    organization_ids = {referral.organization_id, referral.program.organization_id}
    # Switched-off endpoints get their rows too: they wait, and are sent when it is switched on again.
    endpoints = list(WebhookEndpoint.objects.for_organizations(organization_ids).select_related("organization"))
    if not endpoints:
        return []
    deliveries = []
    for endpoint in endpoints:
        body = json.dumps(event_payload(event=event, endpoint_organization=endpoint.organization),
                          separators=(",", ":"), sort_keys=True)
        deliveries.append(WebhookDelivery(
            key=f"{event.public_id}:{endpoint.public_id}", organization_id=endpoint.organization_id,
            endpoint=endpoint, event_id=event.public_id, event_type=f"referral.{event.kind}", referral=referral,
            body=body,
        ))
    # Each event is new, so its keys are too; the unique key guards against a second write of the same event.
    WebhookDelivery.objects_across_tenants.bulk_create(deliveries)
    from .tasks import deliver_webhook

    for delivery in deliveries:
        deliver_webhook.delay_on_commit(delivery.pk)
    return deliveries


# ---------------------------------------------------------------------------------------------------------
# Delivery


class DeliveryError(Exception):
    pass


@dataclass
class DeliveryResult:
    outcome: str  # delivered, retry, failed, skipped
    retry_in: int = 0


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer we do not follow: the endpoint must answer itself."""

    def redirect_request(self, *args, **kwargs):
        return None


def _check_destination(url: str) -> None:
    """Refuses addresses inside our own network at send time too (a public name may resolve to one)."""
    try:
        validate_webhook_url(url)
    except ValidationError as error:
        raise DeliveryError(" ".join(error.messages)) from None
    if settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS:
        return
    parts = urlsplit(url)
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
    except (socket.gaierror, UnicodeError) as error:
        raise DeliveryError(f"cannot resolve {parts.hostname}: {error}") from None
    if any(is_private_address(address.split("%")[0]) for address in addresses):
        raise DeliveryError(f"{parts.hostname} resolves to a private address; not sent")


def _post(delivery: WebhookDelivery) -> int:
    """POSTs the signed body; returns the HTTP status. Raises DeliveryError when there is no answer."""
    endpoint = delivery.endpoint
    _check_destination(endpoint.url)
    body = delivery.body.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "ReferralNetwork-Webhooks/1",
        EVENT_ID_HEADER: str(delivery.event_id),
        EVENT_TYPE_HEADER: delivery.event_type,
        DELIVERY_ID_HEADER: str(delivery.public_id),
        TIMESTAMP_HEADER: str(int(time.time())),
        SIGNATURE_HEADER: sign(endpoint.secret, body),
    }
    context = ssl.create_default_context(cafile=settings.WEBHOOK_CA_FILE or None)
    opener = urllib.request.build_opener(_NoRedirects, urllib.request.HTTPSHandler(context=context))
    request = urllib.request.Request(endpoint.url, data=body, headers=headers, method="POST")
    try:
        with opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise DeliveryError(str(getattr(error, "reason", error))) from None


def retry_delay(attempts: int) -> int:
    """Seconds before the next attempt: 30 s, 1 min, 2 min, ... up to 6 h, with jitter."""
    base = min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), LONGEST_RETRY_SECONDS)
    return int(base * random.uniform(0.8, 1.2))


def _claim(delivery_id: int) -> WebhookDelivery | None:
    now = timezone.now()
    with transaction.atomic():
        delivery = (WebhookDelivery.objects.unscoped("the worker delivers one row by id")
                    .select_for_update(skip_locked=True, of=("self",)).select_related("endpoint")
                    .filter(pk=delivery_id).first())
        if delivery is None or delivery.status in (WebhookDelivery.Status.DELIVERED, WebhookDelivery.Status.FAILED):
            return None
        if delivery.status == WebhookDelivery.Status.SENDING and delivery.lease_until and delivery.lease_until > now:
            return None  # another worker is sending it
        if delivery.status == WebhookDelivery.Status.PENDING and delivery.next_attempt_at > now + timedelta(seconds=5):
            return None  # not due yet: an early duplicate task
        if not delivery.endpoint.active:
            return None  # held until the endpoint is switched on again
        delivery.status = WebhookDelivery.Status.SENDING
        delivery.lease_until = now + LEASE
        delivery.attempts += 1
        delivery.save(update_fields=["status", "lease_until", "attempts"])
    return delivery


def webhook_deliver(*, delivery_id: int) -> DeliveryResult:
    """Sends one outbox row if it is due; safe to call twice or concurrently."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return DeliveryResult("skipped")
    status_code, error = None, ""
    try:
        status_code = _post(delivery)
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}"
    except DeliveryError as failure:
        error = str(failure) or failure.__class__.__name__
    now = timezone.now()
    rows = WebhookDelivery.objects.unscoped("the worker records its own attempt").filter(
        pk=delivery.pk, status=WebhookDelivery.Status.SENDING, attempts=delivery.attempts)
    if not error:
        rows.update(status=WebhookDelivery.Status.DELIVERED, delivered_at=now, lease_until=None,
                    last_response_status=status_code, last_error="")
        return DeliveryResult("delivered")
    if delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        rows.update(status=WebhookDelivery.Status.FAILED, lease_until=None, last_response_status=status_code,
                    last_error=error[:2000])
        logger.warning("Webhook delivery %s failed for good after %s attempts: %s", delivery.public_id,
                       delivery.attempts, error)
        return DeliveryResult("failed")
    delay = retry_delay(delivery.attempts)
    rows.update(status=WebhookDelivery.Status.PENDING, lease_until=None, last_response_status=status_code,
                last_error=error[:2000], next_attempt_at=now + timedelta(seconds=delay))
    return DeliveryResult("retry", retry_in=delay)


def webhook_requeue_due(*, grace: timedelta = timedelta(minutes=1), limit: int = 500) -> int:
    """The sweep: queues rows that are due and have no live attempt. Returns how many were queued."""
    now = timezone.now()
    due = (WebhookDelivery.objects.unscoped("the sweep looks at every tenant's outbox")
           .filter(endpoint__active=True)
           .filter(Q(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now - grace)
                   | Q(status=WebhookDelivery.Status.SENDING, lease_until__lte=now))
           .order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    from .tasks import deliver_webhook

    ids = list(due)
    for delivery_id in ids:
        deliver_webhook.delay(delivery_id)
    return len(ids)


@transaction.atomic
def webhook_delivery_retry(*, delivery_ids) -> int:
    """A network admin sends failed (or waiting) deliveries again, from the admin."""
    rows = WebhookDelivery.objects.unscoped("network admin action").filter(
        pk__in=list(delivery_ids), status__in=[WebhookDelivery.Status.FAILED, WebhookDelivery.Status.PENDING])
    ids = list(rows.values_list("pk", flat=True))
    rows.update(status=WebhookDelivery.Status.PENDING, next_attempt_at=timezone.now(), attempts=0)
    from .tasks import deliver_webhook

    for delivery_id in ids:
        deliver_webhook.delay_on_commit(delivery_id)
    return len(ids)
