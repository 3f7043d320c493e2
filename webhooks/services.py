"""Webhooks: endpoints, the delivery outbox, signing, and delivery (a channel of the shared core.outbox).

Guarantees:
- ``webhook_event_record`` runs inside the transaction of the referral change (it subscribes to the events
  the referrals app publishes, in WebhooksConfig.ready): each endpoint of the referring organization and of
  the program's organization gets one delivery row, with the exact JSON body, committed or rolled back with
  the change.
  A unique key (event id + endpoint id) means an event is never queued twice for one endpoint.
- Delivery is the shared core's (core.outbox, channel ``WEBHOOKS``, registered in WebhooksConfig.ready): it
  claims the row under a lease, calls ``send_webhook`` (POST, signed), and records the outcome: 2xx is
  delivered; anything else is retried with exponential backoff (and jitter) up to WEBHOOK_MAX_ATTEMPTS,
  then marked failed and kept, so a network admin can retry it. Nothing is deleted, so no event is lost
  when the receiver, the worker or the broker fails.
- The core's sweep queues every due row again: rows whose task was lost, rows whose sending worker died
  (expired lease), and rows held while their endpoint was switched off.

Delivery is at least once: receivers de-duplicate on ``webhook-id`` (the event's id, also the body's ``id``).
Signature: Standard Webhooks (``webhook-id``, ``webhook-timestamp``, ``webhook-signature: v1,<base64
HMAC-SHA256 of "id.timestamp.body">`` keyed with the ``whsec_`` secret's bytes), so a receiver verifies with
the ``standardwebhooks`` library and refuses replays by the timestamp. Deprecated, for one release:
``X-Referral-Signature: sha256=<hex HMAC-SHA256 of the body>`` with the same key.

The destination is resolved once, every address it resolves to is checked (no private, loopback, link-local,
or IPv6 address that embeds a private IPv4 one), and the connection goes to a checked address, with the host
name for TLS (SNI and certificate) and ``Host``: a DNS answer that changes between check and connect cannot
reach the inside of our network.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import logging
import socket
import ssl
import time
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from accounts.models import Organization
from core import erasure, outbox
from core.errors import InvalidInput, NotAllowed
from referrals.models import ReferralEvent
from referrals.statuses import FHIR_TASK_STATUS, Status

from . import policies
from .models import WebhookDelivery, WebhookEndpoint, new_secret, secret_key
from .validators import is_private_address, validate_webhook_url

logger = logging.getLogger(__name__)

# Standard Webhooks (https://www.standardwebhooks.com/).
ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
# Deprecated: kept for one release so receivers can move to the headers above.
LEGACY_SIGNATURE_HEADER = "X-Referral-Signature"
LEGACY_TIMESTAMP_HEADER = "X-Referral-Timestamp"
EVENT_ID_HEADER = "X-Referral-Event-Id"
EVENT_TYPE_HEADER = "X-Referral-Event-Type"
DELIVERY_ID_HEADER = "X-Referral-Delivery-Id"
TIMEOUT_SECONDS = 10
LEASE = timedelta(seconds=60)  # well above TIMEOUT_SECONDS: a send still waiting for its answer is alive
# Bookkeeping events that are not changes to the referral.
# Deliveries (an email or a text went out) and a link's use are not changes of the referral: not POSTed.
SILENT_EVENTS = {ReferralEvent.Kind.EMAIL_SENT, ReferralEvent.Kind.TEXT_SENT, ReferralEvent.Kind.EMAIL_LINK_USED}


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
    return WebhookEndpoint.objects_across_tenants.create(
        organization=organization, url=url, description=description.strip()[:200], created_by=actor
    )


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


def sign(*, secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The Standard Webhooks signature: ``v1,`` and the base64 HMAC-SHA256 of ``id.timestamp.body``."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(secret_key(secret), signed, hashlib.sha256).digest()).decode()


def sign_legacy(secret: str, body: bytes) -> str:
    """The deprecated ``X-Referral-Signature``: hex HMAC-SHA256 of the body alone (no replay protection)."""
    return "sha256=" + hmac.new(secret_key(secret), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str) -> bool:
    """The deprecated header, as a receiver checks it: recompute and compare in constant time."""
    return hmac.compare_digest(sign_legacy(secret, body), signature or "")


def signed_headers(*, secret: str, message_id: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {
        ID_HEADER: message_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(secret=secret, message_id=message_id, timestamp=timestamp, body=body),
        LEGACY_TIMESTAMP_HEADER: str(timestamp),
        LEGACY_SIGNATURE_HEADER: sign_legacy(secret, body),
    }


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
            # A self-referral has no referring organization: the seeker asked the program themselves.
            "referring_organization": None if referral.is_self_referral else _organization_json(referral.organization),
            "self_referral": referral.is_self_referral,
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


def webhook_event_record(event: ReferralEvent) -> list[WebhookDelivery]:
    """Writes one delivery per endpoint of the referral's two organizations and queues their delivery for
    after the commit. A referrals.events subscriber: it runs inside the change's transaction."""
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
        body = json.dumps(
            event_payload(event=event, endpoint_organization=endpoint.organization),
            separators=(",", ":"),
            sort_keys=True,
        )
        deliveries.append(
            WebhookDelivery(
                key=f"{event.public_id}:{endpoint.public_id}",
                organization_id=endpoint.organization_id,
                endpoint=endpoint,
                event_id=event.public_id,
                event_type=f"referral.{event.kind}",
                referral=referral,
                body=body,
            )
        )
    # Each event is new, so its keys are too; the unique key guards against a second write of the same event.
    WebhookDelivery.objects_across_tenants.bulk_create(deliveries)
    outbox.queue_on_commit(WEBHOOKS, [delivery.pk for delivery in deliveries])
    return deliveries


# ---------------------------------------------------------------------------------------------------------
# Delivery


class DeliveryError(Exception):
    pass


def resolve_destination(url: str) -> list[str]:
    """The addresses a delivery to ``url`` may connect to, each checked: resolved once, here, and refused
    whole if any answer is inside our own network (a public name may resolve to one)."""
    try:
        validate_webhook_url(url)
    except ValidationError as error:
        raise DeliveryError(" ".join(error.messages)) from None
    parts = urlsplit(url)
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise DeliveryError(f"cannot resolve {parts.hostname}: {error}") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS and any(
        is_private_address(address.split("%")[0]) for address in addresses
    ):
        raise DeliveryError(f"{parts.hostname} resolves to a private address; not sent")
    if not addresses:
        raise DeliveryError(f"cannot resolve {parts.hostname}")
    return addresses


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to one address that was checked, speaking to the URL's host name: SNI, the certificate check and
    ``Host`` use the name, the TCP connection goes to ``address`` and nowhere else (no second DNS lookup)."""

    def __init__(self, host: str, port: int, *, address: str, **kwargs):
        super().__init__(host, port, **kwargs)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _post(delivery: WebhookDelivery) -> int:
    """POSTs the signed body to a checked address; returns the HTTP status (a redirect is an answer, not
    followed). Raises DeliveryError when there is no answer."""
    endpoint = delivery.endpoint
    addresses = resolve_destination(endpoint.url)
    body = delivery.body.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "ReferralNetwork-Webhooks/1",
        EVENT_ID_HEADER: str(delivery.event_id),
        EVENT_TYPE_HEADER: delivery.event_type,
        DELIVERY_ID_HEADER: str(delivery.public_id),
        # webhook-id is the event's id: the same on every attempt, so receivers de-duplicate on it.
        **signed_headers(secret=endpoint.secret, message_id=str(delivery.event_id), body=body),
    }
    parts = urlsplit(endpoint.url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    context = ssl.create_default_context(cafile=settings.WEBHOOK_CA_FILE or None)
    last_error: Exception | None = None
    for address in addresses:
        connection = _PinnedHTTPSConnection(
            parts.hostname, parts.port or 443, address=address, timeout=TIMEOUT_SECONDS, context=context
        )
        try:
            connection.request("POST", path, body=body, headers=headers)
            return connection.getresponse().status
        except (OSError, http.client.HTTPException, ValueError) as error:
            last_error = error
            if connection.sock is not None:
                break  # the request may have reached the receiver: only a failed connect tries the next address
        finally:
            connection.close()
    raise DeliveryError(str(last_error) or last_error.__class__.__name__)


def send_webhook(delivery: WebhookDelivery) -> dict:
    """POSTs one delivery row (the core's ``send`` for this channel): a 2xx answer delivers it; any other
    answer, or none, is a failure worth retrying (receivers come back), recorded with the status."""
    try:
        status_code = _post(delivery)
    except DeliveryError as failure:
        raise outbox.DeliveryFailed(
            str(failure) or failure.__class__.__name__, fields={"last_response_status": None}
        ) from None
    if not 200 <= status_code < 300:
        raise outbox.DeliveryFailed(f"HTTP {status_code}", fields={"last_response_status": status_code})
    return {"last_response_status": status_code}


# The shared delivery core (core.outbox) claims, retries, sweeps and records: 30 s, 1 min, 2 min, ... up to
# 6 h between attempts, with jitter, WEBHOOK_MAX_ATTEMPTS in all (about a day and a half).
WEBHOOKS = outbox.Channel(
    name="webhooks",
    model=WebhookDelivery,
    send=send_webhook,
    max_attempts=outbox.setting("WEBHOOK_MAX_ATTEMPTS", 15),
    retry_base_seconds=outbox.setting("WEBHOOK_RETRY_BASE_SECONDS", 30),
    retry_max_seconds=outbox.setting("WEBHOOK_RETRY_MAX_SECONDS", 6 * 3600),
    lease_seconds=lambda: LEASE.total_seconds(),
    pending_grace_seconds=lambda: 60,
    # A switched-off endpoint's deliveries wait, untouched, and are sent when it is switched on again.
    sendable=Q(endpoint__active=True),
    related=("endpoint",),
)


def webhook_deliveries_erase_person(person) -> int:
    """Erasure (a core.erasure scrubber): delivery bodies carry no seeker details by design, except the
    seeker's own name as an event's actor when they acted from their account. That name becomes
    "Erased person" in the stored body (a delivery not yet sent goes out with it). Returns how many changed."""
    names = set(person.names)
    if not person.referral_ids or not names:
        return 0
    changed = []
    deliveries = WebhookDelivery.objects.unscoped("the erased person's referrals, every receiving organization")
    for delivery in deliveries.filter(referral_id__in=person.referral_ids).only("pk", "body"):
        try:
            body = json.loads(delivery.body)
        except ValueError:
            continue
        event = body.get("event") if isinstance(body, dict) else None
        if isinstance(event, dict) and event.get("actor") in names:
            event["actor"] = erasure.ERASED_NAME
            delivery.body = json.dumps(body, separators=(",", ":"), sort_keys=True)
            changed.append(delivery)
    if changed:
        deliveries.bulk_update(changed, ["body"])
    return len(changed)


def webhook_deliver(*, delivery_id: int) -> outbox.Delivery:
    """Sends one outbox row if it is due; safe to call twice or concurrently (core.outbox.deliver)."""
    return outbox.deliver(WEBHOOKS, delivery_id)


def webhook_requeue_due(*, now=None) -> int:
    """The sweep: queues rows that are due and have no live attempt. Returns how many were queued."""
    return outbox.sweep(WEBHOOKS, now=now)


def webhook_delivery_retry(*, delivery_ids) -> int:
    """A network admin sends failed (or waiting) deliveries again, from the admin."""
    return outbox.retry_now(WEBHOOKS, delivery_ids)
