"""Signed action links: one referral, one recipient (the seeker or a user), an expiry.

The page a link opens is the referral's answer page (``referrals.views_email_link``); channels put the link in
what they send (``notifications.links.link_url`` for email).

The token is Django's signing (HMAC with SECRET_KEY, a timestamp and a salt naming this purpose), so a
token made for anything else (password reset, sessions) is useless here and vice versa. The referral's
public id is also in the URL path: a token for one referral presented on another referral's URL is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

# The salt keeps its first name: changing it would void every link already sent.
SALT = "notifications.email-action-link.v1"


class LinkInvalid(Exception):
    """Tampered, foreign or malformed: answered with 400/404 and a friendly page."""

    status_code = 400


class LinkExpired(LinkInvalid):
    status_code = 410


class LinkNotFound(LinkInvalid):
    """Well signed, but the referral or recipient is gone, or the recipient no longer has a part in it."""

    status_code = 404


@dataclass(frozen=True)
class LinkClaims:
    referral_public_id: str
    user_public_id: str = ""
    seeker_public_id: str = ""


def max_age() -> timedelta:
    return timedelta(days=settings.EMAIL_LINK_MAX_AGE_DAYS)


def make_token(*, referral, user=None, seeker=None) -> str:
    if (user is None) == (seeker is None):
        raise ValueError("An email link names exactly one recipient: a user or the seeker.")
    payload = {"r": str(referral.public_id)}
    if user is not None:
        payload["u"] = str(user.public_id)
    else:
        payload["s"] = str(seeker.public_id)
    return signing.dumps(payload, salt=SALT, compress=True)


def read_token(token: str, *, referral_public_id) -> LinkClaims:
    try:
        payload = signing.loads(token, salt=SALT, max_age=max_age())
    except signing.SignatureExpired as error:
        raise LinkExpired("This link has expired.") from error
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise LinkInvalid("This link is not valid.") from error
    if not isinstance(payload, dict) or payload.get("r") != str(referral_public_id):
        raise LinkInvalid("This link is not valid.")
    return LinkClaims(str(payload["r"]), str(payload.get("u", "")), str(payload.get("s", "")))


def link_path(*, referral, user=None, seeker=None, answer: str = "") -> str:
    """The answer page's path for one recipient, with ``answer`` preselected when given."""
    path = reverse(
        "referrals:email_link",
        kwargs={
            "referral_public_id": referral.public_id,
            "token": make_token(referral=referral, user=user, seeker=seeker),
        },
    )
    return f"{path}?answer={answer}" if answer else path
