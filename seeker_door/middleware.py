"""A seeker session reaches the seeker's own pages and the public ones, nothing else (404), and ends after
SEEKER_SESSION_IDLE_SECONDS without a request to them."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.urls import Resolver404, resolve

from . import session

# Where a signed-in seeker may go: their pages, the public directory, the links they are sent by email and text.
SEEKER_NAMESPACES = {"seeker_door", "find"}
SEEKER_VIEWS = {"referrals:email_link", "sms:short_link"}


def _open_to_seekers(request) -> bool:
    if request.path.startswith((settings.STATIC_URL or "/static/", "/favicon")):
        return True
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return True  # Django answers 404 itself
    return match.namespace in SEEKER_NAMESPACES or match.view_name in SEEKER_VIEWS


class SeekerSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if hasattr(request, "session") and session.KEY in request.session:
            user = getattr(request, "user", None)
            if (user is not None and user.is_authenticated) or session.is_expired(request):
                request.session.pop(session.KEY, None)  # a staff sign-in, or 30 idle minutes, end it
            elif not _open_to_seekers(request):
                raise Http404("Not a page for a seeker's session.")
            elif request.path.startswith("/my/"):
                session.touch(request)
        return self.get_response(request)
