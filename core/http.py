"""Small request helpers shared by access records, rate limits and django-axes."""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or behind a trusted proxy (TRUST_X_FORWARDED_FOR) the first
    X-Forwarded-For hop. Anything that is not an address gives None rather than an error."""
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR") or None
    if getattr(settings, "TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            address = forwarded.split(",")[0].strip() or address
    if not address:
        return None
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return None
    return address


def axes_username(request, credentials: dict | None = None) -> str | None:
    """The account a sign-in attempt is for, for django-axes: our users sign in with their email, which the
    sign-in form, the admin and the API token endpoint all send as ``username``. Lower-cased, so that
    changing the case does not start a fresh count."""
    source = credentials or getattr(request, "POST", None) or {}
    username = source.get("username") or source.get("email")
    return username.strip().lower() if isinstance(username, str) else None
