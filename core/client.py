"""The client's address: the one function that decides it, for everything that needs it.

django-axes (``AXES_CLIENT_IP_CALLABLE``), every rate limit and DRF throttle (``core.ratelimit``), access
records, the email-link limit and the request log line all call :func:`client_address`.

The rule is Django REST framework's: ``NUM_PROXIES`` trusted proxies stand in front of the app, each appending
the address it received the request from to ``X-Forwarded-For``; the client is the ``NUM_PROXIES``-th hop
counted from the right. Hops further left were written by the client and are never trusted. With
``NUM_PROXIES = 0`` (the default) the header is ignored and the client is ``REMOTE_ADDR``.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _normalised(address: str) -> str | None:
    try:
        parsed = ipaddress.ip_address(address.strip())
    except ValueError:
        return None
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        parsed = parsed.ipv4_mapped  # ::ffff:10.0.0.1 and 10.0.0.1 are one client
    return str(parsed)


def client_address(request) -> str | None:
    """The address of the client that sent ``request`` (canonical text form), or None when there is no request
    or what the rule picks is not an IP address."""
    if request is None:
        return None
    meta = request.META
    address = meta.get("REMOTE_ADDR") or ""
    trusted = settings.NUM_PROXIES
    if trusted > 0:
        hops = [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if hops:
            address = hops[-min(trusted, len(hops))]
    return _normalised(address) if address else None
