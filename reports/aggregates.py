"""Database functions the reports need that Django does not ship.

``percentile_sql`` writes PostgreSQL's ordered-set aggregate ``percentile_cont(f) WITHIN GROUP (ORDER BY x)``
for the report's statement (reports.selectors.OrganizationFigures). SQLite has no percentile function, so
on SQLite connections we register an aggregate of the same name (``install_sqlite_percentile``): the rows
still never leave the database engine as Python objects per referral in our code; SQLite feeds the
aggregate inside the query. Both interpolate linearly between the two nearest ranks, as PostgreSQL does, so
the figures agree across backends. It accepts numbers and, on both backends, intervals (durations; SQLite
stores them as microseconds).
"""

from __future__ import annotations

import math

from django.db.models import DurationField, Func


def percentile_sql(connection, column: str, fraction: float) -> str:
    """The continuous ``fraction`` percentile (0..1) of ``column``, ignoring NULLs, in ``connection``'s SQL."""
    fraction = float(fraction)
    if not 0.0 <= fraction <= 1.0 or math.isnan(fraction):
        raise ValueError("A percentile fraction lies between 0 and 1.")
    # A float literal, validated above, is safe to place in the SQL text; ``column`` is the caller's own.
    if connection.vendor == "sqlite":
        return f"percentile_cont({column}, {fraction!r})"
    return f"percentile_cont({fraction!r}) WITHIN GROUP (ORDER BY {column})"


class _SQLitePercentile:
    """SQLite aggregate ``percentile_cont(value, fraction)`` with PostgreSQL's interpolation."""

    def __init__(self):
        self.values = []
        self.fraction = None

    def step(self, value, fraction):
        self.fraction = fraction
        if value is not None:
            self.values.append(value)

    def finalize(self):
        if not self.values:
            return None
        values = sorted(self.values)
        position = (len(values) - 1) * self.fraction
        lower = math.floor(position)
        upper = math.ceil(position)
        return values[lower] + (values[upper] - values[lower]) * (position - lower)


def install_sqlite_percentile(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate("percentile_cont", 2, _SQLitePercentile)


class Hours(Func):
    """A whole number of hours as an interval (``DurationField``): PostgreSQL multiplies an interval;
    SQLite, where Django keeps durations as microseconds, multiplies an integer."""

    output_field = DurationField()
    arity = 1
    template = "(%(expressions)s * INTERVAL '1 hour')"

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="(%(expressions)s * 3600000000)", **extra_context)
