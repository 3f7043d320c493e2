"""What the site answers before (or instead of) any view: a request carrying a NUL character, and an address no
route matches.

Refuses a request carrying a NUL character before any view reads it.

PostgreSQL stores no NUL (``\\x00``) in text or JSON columns: a NUL that reaches a query or a write is a
database error (a 500), and it can hide in any value a view reads directly (an email-link choice written to the
history's JSON, a query parameter used as a filter, a path segment used as an id). Forms and serializers refuse
it on their fields (Django's and DRF's ``ProhibitNullCharactersValidator``, ``core.text.clean_text``); this
refuses it once, for every door, in the path, the query string, a form body and the headers. JSON bodies are
checked by their parser (``core.parsers.JSONParser``).
"""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse

from core.text import has_unstorable_characters
from fhir_api.resources import operation_outcome

MESSAGE = "The request contains a NUL character (\\0), which cannot be stored."
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_unstorable(request) -> bool:
    if has_unstorable_characters(request.path):
        return True
    for name, value in request.META.items():
        if name.startswith("HTTP_") and isinstance(value, str) and has_unstorable_characters(value):
            return True
    queries = [request.GET]
    if request.method == "POST" and request.content_type in FORM_CONTENT_TYPES:
        queries.append(request.POST)
    return any(
        has_unstorable_characters(key) or any(has_unstorable_characters(value) for value in values)
        for query in queries
        for key, values in query.lists()
    )


class UnstorableTextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_unstorable(request):
            if request.path.startswith("/fhir/"):
                return JsonResponse(
                    operation_outcome(MESSAGE, code="invalid"), status=400, content_type="application/fhir+json"
                )
            if request.path.startswith(("/api/", "/hsds/")):
                return JsonResponse({"detail": MESSAGE, "code": "unstorable_characters"}, status=400)
            return HttpResponse(MESSAGE, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def api_not_found(request):
    """The 404 of an address no route matches, for the APIs: JSON for the REST API and the HSDS API
    (``{"detail", "code"}``, as their own 404s), an OperationOutcome for FHIR; None elsewhere."""
    if request.path.startswith("/fhir/"):
        return JsonResponse(
            operation_outcome("No such resource.", code="not-found"), status=404, content_type="application/fhir+json"
        )
    if request.path.startswith(("/api/", "/hsds/")):
        return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)
    return None
