"""The one rate limiter: sign-in, password reset, second-factor codes, email links, the API's throttles (anonymous,
signed-in, the token endpoint) and the public HSDS API all count here.

Fixed windows in the default cache (Redis in production, so every web process counts together). Rates are
named in ``settings.RATE_LIMITS = {scope: (requests, seconds)}`` (their environment variables are listed in
.env.example). Requests are counted per client address as ``core.client.client_address`` decides it (the
``NUM_PROXIES`` rule), unless the caller names another key (a user, or an address and a link).

Use:
- a function view: ``@ratelimit("email_link")`` (counts every request) or
  ``@ratelimit("sign_in", methods=("POST",))``;
- a class-based view: ``method_decorator(ratelimit("sign_in", methods=("POST",)), name="dispatch")``;
- Django REST framework: the throttles below are thin adapters (``DEFAULT_THROTTLE_CLASSES`` names the anonymous
  and signed-in ones; a view sets ``ratelimit_scope`` for ``ScopedRateLimitThrottle``);
- anywhere else: ``hit(scope, key)`` returns False once the limit is passed.
"""

from __future__ import annotations

import functools
import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from rest_framework.throttling import BaseThrottle

from .client import client_address


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
    """The client's address (the one rule, core.client), or "unknown" when it has none."""
    return client_address(request) or "unknown"


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


# --- Django REST framework: thin adapters over hit() ------------------------------------------------------


class RateLimitThrottle(BaseThrottle):
    """Counts requests of ``scope`` per client address; subclasses choose the scope, the key and who counts."""

    scope: str | None = None

    def get_scope(self, request, view) -> str | None:
        return self.scope

    def get_key(self, request) -> str | None:
        return request_key(request)

    def get_ident(self, request):  # DRF's name for the client's identity; ours is the one address rule
        return request_key(request)

    def allow_request(self, request, view):
        scope = self.get_scope(request, view)
        key = self.get_key(request) if scope else None
        if scope is None or key is None:
            return True
        self._scope = scope
        return hit(scope, key)

    def wait(self):
        return retry_after(self._scope)


class AnonRateLimitThrottle(RateLimitThrottle):
    """Requests without a signed-in user, per address (``api_anon``)."""

    scope = "api_anon"

    def get_key(self, request):
        return None if request.user and request.user.is_authenticated else request_key(request)


class UserRateLimitThrottle(RateLimitThrottle):
    """Requests of a signed-in user, per user wherever they come from (``api_user``)."""

    scope = "api_user"

    def get_key(self, request):
        return f"user:{request.user.pk}" if request.user and request.user.is_authenticated else None


class ScopedRateLimitThrottle(RateLimitThrottle):
    """The view's own scope (``ratelimit_scope = "api_token"``), per address."""

    def get_scope(self, request, view):
        return getattr(view, "ratelimit_scope", None)
