"""Our own 403, 404 and 500 pages (Django shows its bare ones when DEBUG is off and these are missing).

On the pages seekers open (signed email links under /r/, their own referrals under /my/) the page has no staff
navigation and speaks the seeker's language: a signed-in seeker's preferred language, else the browser's.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponseForbidden, HttpResponseNotFound, HttpResponseServerError
from django.template import loader
from django.utils import translation

from core.errors import ApplicationError

SEEKER_PATHS = ("/r/", "/my/", "/find/")


def is_seeker_path(path: str) -> bool:
    return path.startswith(SEEKER_PATHS)


def _seeker_language(request) -> str:
    """The language of the seeker a seeker page serves: their profile's, when they are signed in."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from referrals.views_seeker import seeker_profile_of

        seeker = seeker_profile_of(user)
        if seeker is not None and seeker.preferred_language:
            return seeker.preferred_language
    return translation.get_language() or settings.LANGUAGE_CODE


def _render(request, template: str, context: dict, response_class):
    seeker_view = is_seeker_path(request.path)
    language = _seeker_language(request) if seeker_view else (translation.get_language() or settings.LANGUAGE_CODE)
    with translation.override(language):
        body = loader.get_template(template).render(
            {**context, "seeker_view": seeker_view, "LANGUAGE_CODE": language}, request
        )
    response = response_class(body)
    response.headers["Content-Language"] = language
    return response


def page_not_found(request, exception=None):
    # An address no route matches under /api/, /hsds/ or /fhir/ (a non-UUID id included) is answered in that
    # API's own JSON (referrals_site.middleware.api_not_found).
    from .middleware import api_not_found

    answer = api_not_found(request)
    if answer is not None:
        return answer
    # The exception's text is for developers (and may name what exists); the page never shows it.
    return _render(request, "404.html", {}, HttpResponseNotFound)


def permission_denied(request, exception=None):
    # A refusal of ours (core.errors.NotAllowed, or a view's PermissionDenied with a sentence) says why.
    if isinstance(exception, ApplicationError):
        message = exception.message
    else:
        message = (
            exception.args[0] if exception is not None and exception.args and isinstance(exception.args[0], str) else ""
        )
    return _render(request, "403.html", {"message": message}, HttpResponseForbidden)


def server_error(request):
    """Rendered without the request's context processors (which read the database and the session, either of
    which may be what failed), in the language the request was being served in."""
    seeker_view = is_seeker_path(request.path)
    language = translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        body = loader.get_template("500.html").render(
            {
                "seeker_view": seeker_view,
                "LANGUAGE_CODE": language,
                "request_id": getattr(request, "request_id", ""),
            }
        )
    response = HttpResponseServerError(body)
    response.headers["Content-Language"] = language
    return response
