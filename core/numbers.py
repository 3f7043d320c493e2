"""The one reader of whole numbers that arrive as text: page numbers, versions, counts, If-Match ETags.

Python's ``int()`` accepts digits of every script (``int("٣") == 3``) and refuses strings of more than 4,300
digits with a ValueError; ``str.isdigit()`` is true for ``²``, which ``int()`` then refuses. These read ASCII
digits only and never more than ``MAX_DIGITS`` of them, so a hostile number is an ordinary "not a number".
"""

from __future__ import annotations

import re

MAX_DIGITS = 18  # fits a PostgreSQL bigint
_INTEGER = re.compile(r"[+-]?[0-9]+", re.ASCII)


def parse_int(value, *, minimum: int | None = None, maximum: int | None = None) -> int | None:
    """``value`` as an int, or None when it is not a whole number written in ASCII digits, has more than
    ``MAX_DIGITS`` digits, or falls outside ``minimum``..``maximum``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = "" if value is None else str(value).strip()
        if not _INTEGER.fullmatch(text) or len(text.lstrip("+-")) > MAX_DIGITS:
            return None
        number = int(text)
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        return None
    return number


def page_number(value, *, maximum: int) -> int:
    """A page number asked for in a query string: 1 when it is missing, not a number or less than 1; ``maximum``
    when it is a larger number (however many digits it has)."""
    text = "" if value is None else str(value).strip()
    if _INTEGER.fullmatch(text) and not text.startswith("-") and len(text.lstrip("+0")) > MAX_DIGITS:
        return maximum
    number = parse_int(text)
    if number is None or number < 1:
        return 1
    return min(number, maximum)
