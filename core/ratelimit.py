"""A small cache-based rate limiter, shared by sign-in, password reset, the API token endpoint and
email-link pages.

Fixed windows in the default cache (Redis in production, so every web process counts together).
Limits are configured in ``settings.RATE_LIMITS = {scope: (requests, seconds)}``.

Use:
- a function view: ``@ratelimit("email_link")`` (counts every request) or
  ``@ratelimit("sign_in", methods=("POST",))``;
- a class-based view: ``method_decorator(ratelimit("sign_in", methods=("POST",)), name="dispatch")``;
- Django REST framework: ``throttle_classes = [ScopedRateLimitThrottle]`` with ``ratelimit_scope = "api_token"``
  on the view;
- anywhere else: ``hit(scope, key)`` returns False once the limit is passed.
"""

from __future__ import annotations

import functools
import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

from .http import client_ip


def _limit(scope: str) -> tuple[int, int]:
    try:
        return settings.RATE_LIMITS[scope]
    except KeyError as error:
        raise KeyError(f"settings.RATE_LIMITS has no scope {scope!r}") from error


def _cache_key(scope: str, key: str, window: int) -> str:
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"ratelimit:{scope}:{digest}:{window}"


def hit(scope: str, key: str) -> bool:
    """Counts one request for ``key`` in ``scope``. True while within the limit, False past it."""
    requests, seconds = _limit(scope)
    window = int(time.time() // seconds)
    cache_key = _cache_key(scope, key, window)
    if cache.add(cache_key, 1, timeout=seconds + 1):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.add(cache_key, 1, timeout=seconds + 1)
            count = 1
    return count <= requests


def retry_after(scope: str) -> int:
    _, seconds = _limit(scope)
    return max(1, seconds - int(time.time() % seconds))


def request_key(request) -> str:
    return client_ip(request) or "unknown"


def too_many_requests(request, scope: str):
    response = render(request, "core/rate_limited.html", {"retry_after": retry_after(scope)}, status=429)
    response["Retry-After"] = str(retry_after(scope))
    return response


def ratelimit(scope: str, *, methods: tuple[str, ...] | None = None, key=request_key):
    """View decorator: past the scope's limit for the client's address the view answers 429."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if (methods is None or request.method in methods) and not hit(scope, key(request)):
                return too_many_requests(request, scope)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


try:
    from rest_framework.throttling import BaseThrottle
except ImportError:  # pragma: no cover - DRF is a dependency
    BaseThrottle = object


class ScopedRateLimitThrottle(BaseThrottle):
    """DRF throttle using the same limiter: set ``ratelimit_scope`` on the view (e.g. "api_token")."""

    def allow_request(self, request, view):
        scope = getattr(view, "ratelimit_scope", None)
        if scope is None:
            return True
        self._scope = scope
        return hit(scope, request_key(request))

    def wait(self):
        return retry_after(self._scope)
