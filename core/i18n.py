"""Pages in a language other than the browser's."""

from django.shortcuts import render
from django.utils import translation


def render_in_language(request, template: str, context: dict, language: str, *, status: int = 200):
    """``template`` rendered in ``language`` (a seeker's own, not what the browser asks for), saying so to the
    page (``LANGUAGE_CODE``, its ``lang``) and in Content-Language: LocaleMiddleware, which only sets the header
    when it is missing, would name the browser's language."""
    with translation.override(language):
        response = render(request, template, {**context, "LANGUAGE_CODE": language}, status=status)
    response.headers["Content-Language"] = language
    return response
