"""``POST /sms/inbound/`` and ``POST /sms/status/``: the two addresses given to the provider (Twilio's
"A message comes in" and status callback). Both answer 403 and change nothing without a valid
``X-Twilio-Signature`` (sms/inbound.py says how it is checked)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import inbound

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _signed(request) -> bool:
    """Whether the request carries Twilio's signature of this URL and these fields, with our auth token."""
    token = settings.TWILIO_AUTH_TOKEN
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature or request.content_type != "application/x-www-form-urlencoded":
        return False
    from twilio.request_validator import RequestValidator

    params = {key: request.POST.get(key) for key in request.POST}
    return RequestValidator(token).validate(inbound.callback_url(request.get_full_path()), params, signature)


def _refused() -> HttpResponse:
    return HttpResponse(
        "Forbidden: this address accepts only requests signed by the text-message provider.\n",
        status=403,
        content_type="text/plain; charset=utf-8",
    )


def _twiml() -> HttpResponse:
    # Our answers go out as outbox rows (retried, quiet hours kept), never in this response.
    return HttpResponse(EMPTY_TWIML, content_type="text/xml; charset=utf-8")


@csrf_exempt
@require_POST
def inbound_reply(request):
    if not _signed(request):
        return _refused()
    inbound.handle_reply(
        from_number=request.POST.get("From", "")[:40],
        body=request.POST.get("Body", "")[:1600],
        message_sid=request.POST.get("MessageSid", "") or request.POST.get("SmsSid", ""),
    )
    return _twiml()


@csrf_exempt
@require_POST
def delivery_status(request):
    if not _signed(request):
        return _refused()
    inbound.handle_status(
        message_sid=request.POST.get("MessageSid", ""),
        status=request.POST.get("MessageStatus", "") or request.POST.get("SmsStatus", ""),
        error_code=request.POST.get("ErrorCode", ""),
    )
    return HttpResponse(status=204)
