"""Addresses that emails name: always on SITE_URL, never the request's host.

The signed links themselves (one referral, one recipient, an expiry) are made by ``referrals.links``.
"""

from __future__ import annotations

from django.conf import settings

from referrals.links import link_path


def site_url(path: str = "") -> str:
    """``path`` on the site as emails name it (SITE_URL, never the request's host)."""
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def link_url(*, referral, user=None, seeker=None, answer: str = "") -> str:
    """The signed answer-page link for one recipient of an email."""
    return site_url(link_path(referral=referral, user=user, seeker=seeker, answer=answer))
