"""The seeker's session: the verified contact, kept in Django's session under its own key, never a Django user.

It lasts SEEKER_SESSION_IDLE_SECONDS (30 minutes) without a request to the seeker's pages, and reaches only the
seeker's and the public pages (``SeekerSessionMiddleware``: any other URL answers 404). Signing in as a seeker
signs a staff user out of the same browser first; a staff sign-in ends the seeker session.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout

from core.contacts import Contact

KEY = "seeker_door"
PENDING_KEY = "seeker_door_pending"


def idle_seconds() -> int:
    return int(getattr(settings, "SEEKER_SESSION_IDLE_SECONDS", 30 * 60))


def start(request, contact: Contact) -> None:
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        logout(request)  # one person per browser session: a seeker session never carries a staff user
    request.session.cycle_key()
    request.session.pop(PENDING_KEY, None)
    request.session[KEY] = {"kind": contact.kind, "value": contact.value, "seen": int(time.time())}


def current(request) -> Contact | None:
    data = getattr(request, "session", {}).get(KEY)
    if not data:
        return None
    return Contact(data["kind"], data["value"])


def is_expired(request, now: int | None = None) -> bool:
    data = request.session.get(KEY) or {}
    return (now or int(time.time())) - int(data.get("seen", 0)) > idle_seconds()


def touch(request) -> None:
    data = dict(request.session.get(KEY) or {})
    if data:
        data["seen"] = int(time.time())
        request.session[KEY] = data


def end(request) -> None:
    request.session.pop(KEY, None)
    request.session.pop(PENDING_KEY, None)
    request.session.cycle_key()


def set_pending(request, contact: Contact) -> None:
    """The contact a sign-in was asked for (the code page checks a code against it)."""
    request.session[PENDING_KEY] = {"kind": contact.kind, "value": contact.value, "at": int(time.time())}


def pending(request) -> Contact | None:
    data = request.session.get(PENDING_KEY)
    if not data or int(time.time()) - int(data.get("at", 0)) > 60 * 60:
        return None
    return Contact(data["kind"], data["value"])
