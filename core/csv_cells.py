"""CSV cells that are safe to open in a spreadsheet, for every CSV download the site offers.

Spreadsheet programs run a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return
before one) as a formula, so a program or person named ``=HYPERLINK(...)`` would run on the reader's machine
(CSV injection). Text is prefixed with ``'``, which spreadsheets show as plain text; numbers are left as they
are, since a negative number is not a formula.
"""

from __future__ import annotations

import csv
from numbers import Number

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_text(text: str) -> str:
    """``text`` as a spreadsheet will show it, never as a formula it would run."""
    return "'" + text if text[:1] in FORMULA_PREFIXES else text


def safe_cell(value) -> str:
    """One value as a CSV cell: empty for None, ISO format for dates and times, numbers as they are, text
    defused."""
    if value is None:
        return ""
    if isinstance(value, Number) and not isinstance(value, bool):
        return str(value)
    return safe_text(value.isoformat() if hasattr(value, "isoformat") else str(value))


class _Echo:
    """csv.writer writes into this and gets the line back, so each row is yielded, never accumulated."""

    def write(self, value):
        return value


def line_writer():
    """A csv writer whose ``writerow`` returns the line instead of writing it (for streamed responses)."""
    return csv.writer(_Echo())
