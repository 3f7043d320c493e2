"""What a tag that replaced template lines is held to: for each context, it prints what the lines printed."""

from django.template import engines
from django.utils import translation


def printed_alike(reference: str, replacement: str, contexts, language: str) -> tuple[int, str]:
    """Render ``reference`` and ``replacement`` (Django template source) with each of ``contexts`` in ``language``
    and assert each pair is the same characters. Returns how many different outputs there were and all of them
    joined, for the caller's checks that the contexts covered what they mean to."""
    expected_by, printed_by = engines["django"].from_string(reference), engines["django"].from_string(replacement)
    seen = set()
    with translation.override(language):
        for context in contexts:
            expected = expected_by.render(context)
            assert printed_by.render(context) == expected, context
            seen.add(expected)
    return len(seen), " ".join(seen)
