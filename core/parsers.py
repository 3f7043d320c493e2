"""The one JSON parser of every JSON door (the REST API, the token endpoint, FHIR).

DRF's JSONParser hands the body to ``json.load``, whose C scanner recurses once per bracket: a couple of
kilobytes of ``[`` exhaust Python's recursion limit and the RecursionError was a 500. This parser refuses a
body nested deeper than ``MAX_DEPTH`` with a ParseError (400, or FHIR's OperationOutcome), so nothing
downstream (serializers, FHIR readers) ever walks a structure deeper than that either.
"""

from __future__ import annotations

from rest_framework import parsers
from rest_framework.exceptions import ParseError

from .text import has_unstorable_characters

MAX_DEPTH = 64
TOO_DEEP = f"JSON parse error - the body is nested too deeply (at most {MAX_DEPTH} levels)."


HAS_NUL = "JSON parse error - the body contains a NUL character (\\u0000), which cannot be stored."


def too_deep(document, max_depth: int = MAX_DEPTH) -> bool:
    """Whether ``document`` (parsed JSON) nests objects and arrays more than ``max_depth`` levels (no recursion)."""
    stack = [(document, 1)] if isinstance(document, (dict, list)) else []
    while stack:
        value, depth = stack.pop()
        if depth > max_depth:
            return True
        children = value.values() if isinstance(value, dict) else value
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def has_nul(document) -> bool:
    """Whether a string of ``document`` (a key or a value, at any depth) holds a NUL (no recursion)."""
    stack = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if has_unstorable_characters(value):
                return True
        elif isinstance(value, dict):
            stack.extend(value)
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSONParser, refusing bodies nested more than MAX_DEPTH levels deep with a 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            document = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(TOO_DEEP) from None
        if too_deep(document):
            raise ParseError(TOO_DEEP)
        return document


class StrictTextJSONParser(JSONParser):
    """Also refuses a NUL in any string, for doors that read bodies without a serializer's fields (FHIR). The
    REST API leaves it to its serializers, which name the field (``ProhibitNullCharactersValidator``)."""

    def parse(self, stream, media_type=None, parser_context=None):
        document = super().parse(stream, media_type, parser_context)
        if has_nul(document):
            raise ParseError(HAS_NUL)
        return document
