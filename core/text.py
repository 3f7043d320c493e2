"""The one cleaner of the plain text people type (notes, comments, names, listings).

Services call ``clean_text`` and let its ``InvalidInput`` (core.errors) go up with the field it names; forms
and serializers call the same function through their adapters (``core.forms.form_text``,
``api.serializers._plain_text``), so a text is refused for the same reasons, in the same words, on the web page,
in the API and in a direct service call.

What it does: strips the ends (``one_line`` also makes every run of whitespace inside one space: names); refuses
NUL, which PostgreSQL cannot store in text; refuses an empty text when ``required`` and one longer than
``max_length``. Everything else a person types is their text and is kept (pages escape it when shown).
"""

from __future__ import annotations

from .errors import InvalidInput

UNSTORABLE = ("\x00",)


def has_unstorable_characters(value: str) -> bool:
    return any(character in value for character in UNSTORABLE)


def clean_text(
    value,
    *,
    field: str | None = None,
    label: str = "text",
    max_length: int | None = None,
    required: bool = False,
    one_line: bool = False,
    empty_message: str | None = None,
) -> str:
    """``value`` as it is stored, or InvalidInput naming ``field``.

    ``label`` names the text in the messages ("The note is too long ..."); ``empty_message`` replaces
    "Enter the <label>." where a page has its own words for it ("Give the goal a name.").
    """
    value = "" if value is None else str(value)
    value = " ".join(value.split()) if one_line else value.strip()
    if has_unstorable_characters(value):
        raise InvalidInput(
            f"The {label} contains characters that cannot be stored.", code="unstorable_characters", field=field
        )
    if required and not value:
        raise InvalidInput(empty_message or f"Enter the {label}.", code="required", field=field)
    if max_length is not None and len(value) > max_length:
        raise InvalidInput(
            f"The {label} is too long ({len(value)} characters; at most {max_length}).", code="too_long", field=field
        )
    return value
