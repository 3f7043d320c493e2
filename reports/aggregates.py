"""Database functions the reports need that Django does not ship.

``PercentileCont`` is PostgreSQL's ordered-set aggregate ``percentile_cont(f) WITHIN GROUP (ORDER BY x)``.
SQLite has no percentile function, so on SQLite connections we register an aggregate of the same name
(``install_sqlite_percentile``): the rows still never leave the database engine as Python objects per
referral in our code; SQLite feeds the aggregate inside the query. Both interpolate linearly between the
two nearest ranks, as PostgreSQL does, so the figures agree across backends.

``HoursBetween`` is the elapsed time between two timestamps in hours, as a float, on both backends.
"""

from __future__ import annotations

import math

from django.db.models import Aggregate, FloatField, Func


class PercentileCont(Aggregate):
    """The continuous ``fraction`` percentile (0..1) of ``expression``, ignoring NULLs."""

    function = "percentile_cont"
    name = "PercentileCont"
    output_field = FloatField()
    allow_distinct = False
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction: float, **extra):
        fraction = float(fraction)
        if not 0.0 <= fraction <= 1.0 or math.isnan(fraction):
            raise ValueError("A percentile fraction lies between 0 and 1.")
        # A float literal, validated above, is safe to place in the SQL text.
        super().__init__(expression, fraction=repr(fraction), **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="%(function)s(%(expressions)s, %(fraction)s)",
                           **extra_context)


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


class HoursBetween(Func):
    """Hours from ``start`` to ``end`` (a float; NULL when either is NULL)."""

    output_field = FloatField()
    arity = 2

    def _compile(self, compiler):
        start_sql, start_params = compiler.compile(self.source_expressions[0])
        end_sql, end_params = compiler.compile(self.source_expressions[1])
        return start_sql, start_params, end_sql, end_params

    def as_postgresql(self, compiler, connection, **extra_context):
        start_sql, start_params, end_sql, end_params = self._compile(compiler)
        return f"(EXTRACT(EPOCH FROM ({end_sql} - {start_sql})) / 3600.0)::double precision", [*end_params, *start_params]

    def as_sql(self, compiler, connection, **extra_context):
        # SQLite (and the portable default) stores timestamps as text; julianday() turns them into days.
        start_sql, start_params, end_sql, end_params = self._compile(compiler)
        return f"((julianday({end_sql}) - julianday({start_sql})) * 24.0)", [*end_params, *start_params]
