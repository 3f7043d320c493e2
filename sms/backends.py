"""Text-message senders, chosen by ``SMS_BACKEND`` as ``EMAIL_BACKEND`` chooses the mail sender.

- ``sms.backends.ConsoleBackend``: prints each text (development, the default); the dev mailbox lists them.
- ``sms.backends.LocmemBackend``: keeps each text in ``sms.backends.outbox`` (tests).
- ``sms.backends.TwilioBackend``: Twilio's Messages API through the ``twilio`` package
  (``TWILIO_ACCOUNT_SID``, ``TWILIO_AUTH_TOKEN``, and ``TWILIO_FROM_NUMBER`` or
  ``TWILIO_MESSAGING_SERVICE_SID``; ``TWILIO_API_BASE_URL`` for a gateway or proxy in front of Twilio).

A backend's ``send(to=, body=, status_callback=)`` returns the provider's id for the message, or raises
``SendFailed`` saying whether trying again may help (``transient``) and the provider's code.
"""

from __future__ import annotations

import sys
import threading
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string


class SendFailed(Exception):
    def __init__(self, message: str, *, transient: bool, code: str = ""):
        super().__init__(message)
        self.message, self.transient, self.code = message, transient, code


@dataclass(frozen=True)
class SentText:
    to: str
    body: str
    provider_id: str
    status_callback: str = ""


class BaseBackend:
    def send(self, *, to: str, body: str, status_callback: str = "") -> str:
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    """Writes each text to standard output (``make run``); nothing is sent."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, *, to: str, body: str, status_callback: str = "") -> str:
        provider_id = f"console-{uuid.uuid4().hex}"
        self.stream.write(f"--- text message to {to} ({provider_id})\n{body}\n---\n")
        self.stream.flush()
        return provider_id


# Texts "sent" by LocmemBackend, oldest first (tests empty it; see tests/conftest.py).
outbox: list[SentText] = []
_outbox_lock = threading.Lock()


class LocmemBackend(BaseBackend):
    """Keeps each text in ``sms.backends.outbox``, as Django's locmem mail backend keeps ``mail.outbox``."""

    def send(self, *, to: str, body: str, status_callback: str = "") -> str:
        provider_id = f"SM{uuid.uuid4().hex}"
        with _outbox_lock:
            outbox.append(SentText(to=to, body=body, provider_id=provider_id, status_callback=status_callback))
        return provider_id


# Twilio's error codes (https://www.twilio.com/docs/api/errors) that no retry will cure: the number is not a
# valid one, cannot receive texts (a landline), has opted out (STOP), or is outside the account's reach.
PERMANENT_TWILIO_CODES = {
    21211: "The phone number is not a valid number.",
    21214: "The phone number cannot be reached.",
    21217: "The phone number is not a valid number.",
    21401: "The phone number is not a valid number.",
    21407: "The phone number's country cannot be texted from this account.",
    21408: "The phone number's country cannot be texted from this account.",
    21421: "The phone number is not a valid number.",
    21606: "The sending number cannot send texts to this phone number.",
    21610: "The person replied STOP to our texts: they receive none until they reply START.",
    21612: "This phone number cannot receive texts from our number.",
    21614: "The phone number is not a mobile number (a landline cannot receive texts).",
    30003: "The phone is unreachable (switched off or out of service).",
    30005: "The phone number is unknown to its carrier (it may no longer exist).",
    30006: "The phone number is a landline or cannot receive texts.",
}


class TwilioBackend(BaseBackend):
    """One ``twilio`` client per process, its HTTP session (``requests``) reused for every text: connections
    are kept alive, and the environment's proxy and CA settings are read once, here, rather than on every
    request (``requests`` walks the environment per request unless told not to: a fifth of a text's CPU)."""

    def __init__(self):
        from twilio.http.http_client import TwilioHttpClient
        from twilio.rest import Client

        base_url = settings.TWILIO_API_BASE_URL or "https://api.twilio.com"
        http_client = TwilioHttpClient(timeout=settings.SMS_TIMEOUT)
        # What requests would read from the environment on each call (proxies, CA bundle), read now, once.
        found = http_client.session.merge_environment_settings(base_url, {}, None, None, None)
        http_client.proxy = found["proxies"]
        http_client.session.verify = found["verify"]
        http_client.session.trust_env = False
        self.client = Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=http_client)
        if settings.TWILIO_API_BASE_URL:
            self.client.api.base_url = settings.TWILIO_API_BASE_URL

    def send(self, *, to: str, body: str, status_callback: str = "") -> str:
        from twilio.base.exceptions import TwilioException, TwilioRestException

        sender = (
            {"messaging_service_sid": settings.TWILIO_MESSAGING_SERVICE_SID}
            if settings.TWILIO_MESSAGING_SERVICE_SID
            else {"from_": settings.TWILIO_FROM_NUMBER}
        )
        extra = {"status_callback": status_callback} if status_callback else {}
        try:
            message = self.client.messages.create(to=to, body=body, **sender, **extra)
        except TwilioRestException as error:
            code = error.code or 0
            if code in PERMANENT_TWILIO_CODES:
                raise SendFailed(PERMANENT_TWILIO_CODES[code], transient=False, code=str(code)) from None
            # Too many requests, Twilio's own trouble, or our credentials (fixable without changing the row).
            transient = error.status in (401, 403, 408, 429) or error.status >= 500
            raise SendFailed(
                f"Twilio answered {error.status}: {error.msg} (code {code})",
                transient=transient,
                code=str(code) if code else "",
            ) from None
        except (TwilioException, OSError) as error:  # the connection failed or timed out
            raise SendFailed(f"Twilio could not be reached: {type(error).__name__}", transient=True) from None
        return message.sid


_backend_lock = threading.Lock()
_backends: dict[str, BaseBackend] = {}


def get_backend() -> BaseBackend:
    """The backend ``SMS_BACKEND`` names, one instance per process (a Twilio client keeps its connections)."""
    path = settings.SMS_BACKEND
    with _backend_lock:
        backend = _backends.get(path)
        if backend is None:
            backend = _backends[path] = import_string(path)()
    return backend


def reset_backends() -> None:
    """Forgets the backends made so far (settings changed: tests)."""
    with _backend_lock:
        _backends.clear()
