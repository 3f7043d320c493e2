"""The public directory's pages, rendered once and reused for a short while.

Anyone may open /find/, signed in or not, and the page is the same for everybody who reads it in the same
language: it is rendered without the request (no session, no CSRF token, no name of the person reading), so the
rendered HTML can be handed to the next visitor. Kept in the shared cache (Redis in production) for
FIND_PAGE_CACHE_SECONDS (60 by default; 0 turns the cache off) under a key made of:

- the directory's *version*: a random token replaced whenever a program, its organization or a category is
  saved or deleted, or a program's categories change (Django's model signals, so the admin, the claimers'
  listing page and the services are all covered); a change made with bulk updates (the HSDS import) shows
  when the pages expire, within FIND_PAGE_CACHE_SECONDS;
- the language, the path and the search's fields in a fixed order.

Only pages people ordinarily open are kept: a program's page, and the first three pages of a search by zip code,
distance and category. A search with words is rendered each time, so nobody can fill the cache with pages of
made-up words; nor is anything kept when the cache cannot be reached (the page is rendered as usual).
"""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.db.models.signals import m2m_changed, post_delete, post_save

from core.page_cache import PageCache

logger = logging.getLogger(__name__)

VERSION_KEY = "find:directory"
PAGES = PageCache("find", "find:page:{}")
CACHED_PAGES = 3


def seconds() -> int:
    return max(0, int(getattr(settings, "FIND_PAGE_CACHE_SECONDS", 60)))


def directory_changed(**kwargs) -> None:
    """Something a public page shows changed: stop reusing every page rendered before."""
    if seconds():
        PAGES.replace_versions([VERSION_KEY])


def connect() -> None:
    from accounts.models import Organization
    from programs.models import Category, Program

    for model in (Program, Organization, Category):
        post_save.connect(directory_changed, sender=model, dispatch_uid=f"find-saved-{model.__name__}")
        post_delete.connect(directory_changed, sender=model, dispatch_uid=f"find-deleted-{model.__name__}")
    m2m_changed.connect(directory_changed, sender=Program.categories.through, dispatch_uid="find-categories")


def page_key(*, language: str, path: str, fields: dict) -> str | None:
    """The cache key of a page, or None when it must not be cached (the cache is off or unreachable)."""
    if not seconds():
        return None
    try:
        version = PAGES.versions([VERSION_KEY]).get(VERSION_KEY)
    except Exception:
        logger.warning("find cache: unreachable: %s", sys.exc_info()[1])
        return None
    if version is None:
        return None
    return PAGES.key([version, language, path, *(f"{name}={fields[name]}" for name in sorted(fields))])


def get(key: str | None) -> bytes | None:
    return PAGES.get(key)


def put(key: str | None, content: bytes) -> None:
    PAGES.put(key, content, timeout=seconds())
