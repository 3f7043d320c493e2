"""The development mailbox (DEBUG only): every outbox message, with clickable links.

The pages that signed email links open belong to the referral they name: referrals.views_email_link.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core import outbox

from .models import OutboxMessage


def _mailbox_enabled():
    if not settings.DEBUG:
        raise Http404()


@require_GET
def mailbox(request):
    """DEBUG only: the emails the outbox holds, newest first, so `make run` users can click their links."""
    _mailbox_enabled()
    # Not named ``messages``: the base template shows that name as the page's flash banners.
    emails = OutboxMessage.objects.order_by("-created_at", "-id")[:200]
    # The other channels' messages (texts), through the delivery core's registry: no channel imports another.
    others = [
        {"name": channel.name, "rows": channel.dev_mailbox(200)}
        for channel in outbox.channels()
        if channel.dev_mailbox is not None
    ]
    return render(request, "notifications/mailbox.html", {"emails": emails, "other_channels": others})


@require_GET
def mailbox_message(request, public_id):
    _mailbox_enabled()
    message = OutboxMessage.objects.filter(public_id=public_id).first()
    if message is None:
        raise Http404()
    return render(request, "notifications/mailbox_message.html", {"message": message})


@require_GET
def mailbox_message_html(request, public_id):
    _mailbox_enabled()
    message = OutboxMessage.objects.filter(public_id=public_id).first()
    if message is None:
        raise Http404()
    response = HttpResponse(message.body_html or "")
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
    return response
