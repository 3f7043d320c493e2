"""Short links for texts: ``/t/<code>/`` stands for the signed answer-page link of one referral and one
recipient (``referrals.links.link_path``), stored server-side.

The code is 10 characters drawn by ``secrets`` from 62 (about 59 bits: unguessable, and the page is rate
limited as email links are); it expires with the signed link it stands for (``EMAIL_LINK_MAX_AGE_DAYS``).
Opening it changes nothing: it redirects to the answer page, which shows the referral and the choices on GET
and records an answer only on POST.
"""

from __future__ import annotations

import secrets
import string

from django.db import IntegrityError, transaction
from django.utils import timezone

from referrals.links import link_path, max_age

from .models import ShortLink

ALPHABET = string.ascii_letters + string.digits
CODE_LENGTH = 10


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


class ShortLinkPath(str):
    @property
    def path(self) -> str:
        return f"/t/{self}/"


def short_link(*, referral, seeker) -> ShortLinkPath:
    """A new short link to ``referral``'s answer page for ``seeker`` (its code; ``.path`` is ``/t/<code>/``)."""
    target = link_path(referral=referral, seeker=seeker)
    now = timezone.now()
    for _ in range(5):
        code = new_code()
        try:
            with transaction.atomic():
                ShortLink.objects.create(
                    code=code,
                    referral=referral,
                    seeker=seeker,
                    target=target,
                    created_at=now,
                    expires_at=now + max_age(),
                )
        except IntegrityError:  # the same code drawn twice: draw again
            continue
        return ShortLinkPath(code)
    raise RuntimeError("Could not draw an unused short link code.")


def well_formed(code: str) -> bool:
    return len(code) == CODE_LENGTH and all(character in ALPHABET for character in code)


def resolve(code: str) -> ShortLink | None:
    """The short link ``code`` names, or None (unknown, malformed)."""
    if not well_formed(code):
        return None
    return ShortLink.objects.filter(code=code).first()
