"""Inbound Referrals, rendered once and reused while nothing it shows has changed.

Claimers keep Inbound Referrals open all day and reload it; at a million referrals each render costs ~60 ms
of database and template work, most of it to produce the same page again. So the rendered page is kept in
the shared cache (Redis in production) under a key made of everything it depends on:

- a *version* of each program the user works: a random token, replaced whenever something the page shows
  about that program's referrals changes (``programs_changed``): any history event (every referral change
  writes one: referrals.services.record_event), a seeker's profile, the program itself, its claimers;
- the user, their session and CSRF cookie (the page's forms carry a token for that cookie), the language,
  the address with its filters, the template (page or list alone);
- the current minute, because "2 hours ago" and the overdue marks move with the clock.

Versions, keys and cache failures are handled as for the public directory (core/page_cache.py). A change
first marks its programs *changing* (for at most a minute) and gives them a new token when its transaction commits: while a
program is changing, its pages are neither read from nor stored in the cache, so a page rendered from the
old rows before the commit (or from the new ones inside the writer's own transaction) is never kept, and the
moments between the commit and the new token (other commit hooks run first) render afresh too.

Only the pages people ordinarily look at are kept: known filters with valid values and no "older than",
the first three pages. So nobody can fill the cache with pages of made-up addresses.

What the key does not cover: a person's or an organization's new name shows on pages cached before it, for
the rest of the minute. Pages with a message waiting (after a form) are never cached; nor is anything when
the cache cannot be reached: the page is then rendered as usual.
"""

from __future__ import annotations

import logging
import sys
import time

from django.conf import settings
from django.db import transaction

from core.numbers import parse_int
from core.page_cache import PageCache

logger = logging.getLogger(__name__)

VERSION_KEY = "inbound:program:{}"
PAGES = PageCache("inbound", "inbound:page:{}")
CHANGING = "changing:"
CHANGING_SECONDS = 60  # a transaction that never commits leaves its mark no longer than this
CACHED_PAGES = 3


def seconds() -> int:
    """How long a rendered page is kept, at most a minute (the key changes every minute); 0 turns the cache
    off (INBOUND_PAGE_CACHE_SECONDS)."""
    return min(getattr(settings, "INBOUND_PAGE_CACHE_SECONDS", 60), 60)


def current_minute() -> int:
    """The clock's minute, part of every page key."""
    return int(time.time() // 60)


def programs_changed(program_ids) -> None:
    """Something Inbound Referrals shows about these programs' referrals changed: stop reusing their pages."""
    program_ids = sorted({pk for pk in program_ids if pk is not None})
    if not program_ids or not seconds():
        return
    keys = [VERSION_KEY.format(pk) for pk in program_ids]
    PAGES.replace_versions(keys, prefix=CHANGING, timeout=CHANGING_SECONDS)
    transaction.on_commit(lambda: PAGES.replace_versions(keys))


def _versions(program_ids) -> list[str] | None:
    """Each program's current token, or None when one of them is changing (or the cache lost it at once)."""
    keys = [VERSION_KEY.format(pk) for pk in program_ids]
    found = PAGES.versions(keys)
    if any(key not in found or str(found[key]).startswith(CHANGING) for key in keys):
        return None
    return [f"{key}={found[key]}" for key in keys]


def page_key(request, template: str, program_ids, *, filters) -> str | None:
    """The cache key of this request's page, or None when it must be rendered afresh.

    ``filters``: a function that gives the page's filter form (bound to the query string), to keep only ordinary
    pages; it is not called for the page as it opens (no query string), which has no filter to check.
    """
    if not seconds() or request.method != "GET" or not _ordinary(request, filters):
        return None
    csrf_cookie = request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
    session_key = getattr(request.session, "session_key", None)
    if not csrf_cookie or not session_key or _message_waiting(request):
        return None
    try:
        versions = _versions(sorted(program_ids))
    except Exception:
        logger.warning("inbound cache: versions unavailable, rendering afresh: %s", sys.exc_info()[1])
        return None
    if versions is None:
        return None
    return PAGES.key(
        [
            str(request.user.pk),
            session_key,
            csrf_cookie,
            getattr(request, "LANGUAGE_CODE", ""),
            template,
            request.get_full_path(),
            str(current_minute()),
            *versions,
        ]
    )


def _ordinary(request, filters) -> bool:
    """Known filters with valid values, no "older than", one of the first pages."""
    if not request.GET:
        return True  # no filter, the first page: the form (~0.3 ms to build) is not needed to say so
    filters = filters()
    if set(request.GET) - {*filters.fields, "page"} or request.GET.get("older_than_days"):
        return False
    if filters.is_bound and not filters.is_valid():
        return False
    return parse_int(request.GET.get("page", "1"), minimum=1, maximum=CACHED_PAGES) is not None


def _message_waiting(request) -> bool:
    """A message from the last form (django.contrib.messages) shows on the next page: not a page to reuse."""
    return bool(request.COOKIES.get("messages") or request.session.get("_messages"))


def get(key: str | None) -> bytes | None:
    return PAGES.get(key)


def put(key: str | None, content: bytes) -> None:
    PAGES.put(key, content, timeout=seconds())
