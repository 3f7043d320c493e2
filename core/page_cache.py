"""Rendered pages kept in the shared cache (Redis in production) under keys that name what they depend on: the
pieces the public directory's cache (find/cache.py) and Inbound Referrals' (referrals/inbound_cache.py) share; the
organization report keeps its figures with ``get`` and ``put`` too (reports.selectors.KeptFigures).

A *version* is a random token kept under its own key and replaced whenever what the pages show changes; a page's
key is a hash of the versions it was rendered under and of whatever else it depends on, so a change makes every
page rendered before unreachable. A new token rather than a counter: when the cache loses a version (restart,
eviction), the next reader draws a new one, so a page rendered under a lost version is never served again.

Nothing here lets a cache failure reach the page: writes are skipped and reads answer None, with a warning, and
the page is rendered as usual (``versions`` raises, for its caller to decide).
"""

from __future__ import annotations

import hashlib
import logging
import sys
import uuid

from django.core.cache import cache

logger = logging.getLogger(__name__)


class PageCache:
    """One kind of kept page: ``name`` in the log's warnings, ``page_key`` the format of its pages' keys."""

    def __init__(self, name: str, page_key: str):
        self.name, self.page_key = name, page_key

    def replace_versions(self, keys, *, prefix: str = "", timeout=None) -> None:
        """Gives each version key a new token (``prefix`` before it); a page rendered before is not reused."""
        try:
            cache.set_many({key: prefix + uuid.uuid4().hex for key in keys}, timeout=timeout)
        except Exception:  # the cache is down: pages are not reused while it is (versions raises)
            logger.warning("%s cache: could not replace versions: %s", self.name, sys.exc_info()[1])

    @staticmethod
    def versions(keys) -> dict:
        """Each version key's token, drawing one for a key the cache does not hold (another process may draw it
        first: the one kept wins). Raises when the cache cannot be reached."""
        found = cache.get_many(keys)
        missing = [key for key in keys if key not in found]
        if missing:
            for key in missing:
                cache.add(key, uuid.uuid4().hex, timeout=None)
            found.update(cache.get_many(missing))
        return found

    def key(self, parts) -> str:
        """A page's key: the hash of everything it depends on (its versions among them)."""
        return self.page_key.format(hashlib.sha256("\n".join(parts).encode()).hexdigest())

    def get(self, key: str | None):
        if key is None:
            return None
        try:
            return cache.get(key)
        except Exception:
            logger.warning("%s cache: could not read a page, rendering afresh: %s", self.name, sys.exc_info()[1])
            return None

    def put(self, key: str | None, content, *, timeout: int) -> None:
        if key is None:
            return
        try:
            cache.set(key, content, timeout=timeout)
        except Exception:
            logger.warning("%s cache: could not keep a page: %s", self.name, sys.exc_info()[1])
