"""Session timeouts, the second sign-in step, and per-path referrer policy."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from core.numbers import parse_int

from .policies import requires_two_factor, second_factor_roles, second_factor_satisfied

# The keys keep the names they had when this lived in privacy: sessions open at a deploy stay valid.
SESSION_STARTED = "_privacy_started_at"
SESSION_LAST_SEEN = "_privacy_last_seen_at"
# Writing the session on every request would cost a database write per page; a minute of slack is fine.
LAST_SEEN_RESOLUTION = 60
SESSION_SECOND_FACTOR_NOT_NEEDED = "_privacy_second_factor_not_needed"


def start_session(sender, request, user, **kwargs):
    """At sign-in: start the session clocks and decide once whether this session needs a second factor.

    Done here rather than on the first page so that pages never look for devices or write the session.
    """
    if request is None or not hasattr(request, "session"):
        return
    from django_otp import user_has_device

    now = int(time.time())
    request.session[SESSION_STARTED] = now
    request.session[SESSION_LAST_SEEN] = now
    if not user_has_device(user) and not requires_two_factor(user):
        request.session[SESSION_SECOND_FACTOR_NOT_NEEDED] = second_factor_roles(user)


class SessionTimeoutMiddleware:
    """Signs out a session idle for SESSION_IDLE_TIMEOUT or older than SESSION_ABSOLUTE_TIMEOUT seconds."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            started = request.session.get(SESSION_STARTED)
            last_seen = request.session.get(SESSION_LAST_SEEN)
            if started is None or last_seen is None:
                request.session[SESSION_STARTED] = started or now
                request.session[SESSION_LAST_SEEN] = now
            elif now - last_seen > settings.SESSION_IDLE_TIMEOUT or now - started > settings.SESSION_ABSOLUTE_TIMEOUT:
                logout(request)
                messages.info(request, "You were signed out because the session ran out. Sign in again.")
                return _to_login(request)
            elif now - last_seen >= LAST_SEEN_RESOLUTION and not request.headers.get("X-Live-Poll"):
                # Live-status polls (static/js/live.js) are the page, not the person: they do not keep
                # an idle session alive.
                request.session[SESSION_LAST_SEEN] = now
        return self.get_response(request)


def _to_login(request):
    if _wants_json(request):
        return JsonResponse({"detail": "Authentication credentials were not provided."}, status=401)
    return HttpResponseRedirect(f"{reverse('accounts:login')}?{urlencode({'next': request.get_full_path()})}")


def _wants_json(request) -> bool:
    return request.path.startswith(("/api/", "/fhir/")) or "application/json" in request.headers.get("Accept", "")


# Paths an unverified user may still reach: the second step itself, enrolment, signing out, static files.
TWO_FACTOR_OPEN_PREFIXES = ("/account/two-factor/", "/accounts/logout/", "/static/", "/accounts/locked/")


class TwoFactorMiddleware:
    """After the password: users with a device must enter a code; admins without one must enrol first.

    Runs after django_otp's OTPMiddleware, which sets ``request.user.is_verified()``. Applies to every
    path, the Django admin included. API requests with a token do not pass through here signed in (DRF
    authenticates them in the view); tokens are issued by the API's own endpoint.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is None
            or not user.is_authenticated
            or request.path.startswith(TWO_FACTOR_OPEN_PREFIXES)
            or user.is_verified()
        ):
            return self.get_response(request)
        allowance = request.session.get(SESSION_SECOND_FACTOR_NOT_NEEDED)
        if second_factor_satisfied(user, verified=False, allowance=allowance):
            return self.get_response(request)
        # No allowance, or one given for other roles (made a superuser or staff since): decide again.
        from django_otp import user_has_device

        if user_has_device(user):
            return self._redirect(request, "security:two_factor_verify")
        if requires_two_factor(user):
            return self._redirect(request, "security:two_factor_enrol")
        # Remembered for this session so that pages do not look for devices on every request; enrolling
        # verifies the session that enrols, and other sessions pick the device up at their next sign-in.
        request.session[SESSION_SECOND_FACTOR_NOT_NEEDED] = second_factor_roles(user)
        return self.get_response(request)

    @staticmethod
    def _redirect(request, name):
        if _wants_json(request):
            return JsonResponse({"detail": "Complete two-factor sign-in first."}, status=403)
        target = request.get_full_path()
        query = urlencode({"next": target}) if url_has_allowed_host_and_scheme(target, None) else ""
        return HttpResponseRedirect(f"{reverse(name)}?{query}" if query else reverse(name))


# Pages whose URL carries a secret send at most our origin as the referrer, never their path: neither to another
# site nor to our own (their stylesheets and scripts, whose Referer a proxy in front may log). Not
# ``no-referrer``: browsers then send ``Origin: null`` with the page's own form POSTs (the Fetch standard),
# which Django's CSRF check refuses, so nobody could submit these forms; with ``strict-origin`` the Origin is
# ours and the check passes.
SECRET_PAGE_REFERRER_POLICY = "strict-origin"


class ReferrerPolicyMiddleware:
    """``SECRET_PAGE_REFERRER_POLICY`` pinned on pages whose URL carries a secret (email links, password reset
    tokens), so that relaxing the site-wide default never reaches them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(tuple(getattr(settings, "SECRET_URL_PATH_PREFIXES", ()))):
            response.headers["Referrer-Policy"] = SECRET_PAGE_REFERRER_POLICY
        return response


class RequestSizeMiddleware:
    """Refuses a body larger than DATA_UPLOAD_MAX_MEMORY_SIZE with 413 before anything reads it.

    Django itself answers 400 once a view reads an oversized form; this answers every path the same way,
    the API's JSON bodies included, and never lets a view buffer the body.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        declared = (request.META.get("CONTENT_LENGTH") or "").strip()
        length = parse_int(declared, minimum=0)
        if length is None:  # more digits than any body we take has: too large; anything else, no body
            length = limit + 1 if limit is not None and declared.isascii() and declared.isdigit() else 0
        if limit is not None and length > limit:
            from django.http import HttpResponse

            # No "Connection: close" here: it is a hop-by-hop header, which a WSGI application may not set
            # (wsgiref, and so runserver, turned it into a 500); the server decides about the connection.
            return HttpResponse("Request body too large.", status=413, content_type="text/plain")
        return self.get_response(request)
