"""Statements compiled once per process: a queryset whose SQL never changes shape, built and compiled by the ORM
on first use, then run with each request's ids bound in (issue 18).

On the busiest pages, building a queryset's tree of filters, annotations and visibility rules and compiling it
to SQL cost as much as PostgreSQL took to run it (the seeker profile: ~6 of its ~23 ms). A ``Statement`` names
a build function of ids; on first use per database it builds the queryset twice with two different sets of
stand-in ids, compiles both, and keeps the SQL only if the two agree everywhere except where the ids go (so a
value that would change the SQL's shape, or be written into it, is refused at once rather than bound wrongly).
Later calls bind the ids into those positions and run the kept SQL through Django's own iterables: the rows come
back as the same model instances, related objects and annotations the queryset would give.

    PROFILE_REFERRALS = Statement(
        "the profile's outbound referrals",
        lambda user, seeker_id: Referral.objects.restrict(user, "refer").filter(seeker_id=seeker_id),
    )
    referrals = PROFILE_REFERRALS(user=request.user.pk, seeker_id=seeker.pk)

Each argument is an id, a UUID or a text. One named ``user`` (or ending in ``_user``) is given to the build
function as a user with that id (``user.pk`` is what the rules read). ``shape`` names what else the build reads
(``is_superuser`` for a rule that differs for network admins) and keys a statement of its own.

The result is a queryset to read (iterate, test, ``len``), never to narrow: ``filter()``, ``count()`` and the
like would need new SQL, and raise ``TypeError`` instead of silently running the kept statement.

On PostgreSQL a kept statement is also prepared once per database session (``prepared``: PREPARE, then EXECUTE
with the values), unless ``DATABASE_PREPARED_STATEMENTS`` is off: Django's query log shows ``EXECUTE kept_3(...)``,
and ``pg_prepared_statements`` the SQL of each name.
"""

from __future__ import annotations

import copy
import itertools
import logging
import re
import threading
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connections
from django.db.models.sql.constants import MULTI
from django.db.models.sql.query import Query
from psycopg2.errors import DuplicatePreparedStatement

logger = logging.getLogger(__name__)

# Stand-in ids: far outside any id a table holds, and different in the two builds.
_FIRST, _SECOND = -9_100_000_000_000, -9_200_000_000_000


def _stand_in(kind, number: int):
    """A value of ``kind`` no row holds, different for each ``number``."""
    if kind is int:
        return number
    if kind is uuid.UUID:
        return uuid.UUID(int=-number)
    if kind is str:
        return f"core.statements stand-in {number}"
    raise TypeError(f"a statement binds ids, UUIDs and text, not {kind.__name__}")


# How a value reaches the parameters: as it is, or as a database without a UUID type stores a UUID (SQLite,
# the `make run` default: 32 hex digits).
_FORMS = ("value", "hex")


def _as(form: str, value):
    if form == "hex":
        return value.hex if isinstance(value, uuid.UUID) else None
    return value


class _BoundQuery(Query):
    """A kept statement's query with one request's values: its compiler answers the kept SQL."""

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        if connection is None:
            connection = connections[using]
        compiler = copy.copy(self._statement_compiler)
        compiler.connection, compiler.using = connection, using
        sql, params = self._statement_sql, self._statement_params
        if self._statement_prepared:
            compiler.as_sql = lambda *args, **kwargs: prepared(connection, sql, params)
        else:
            compiler.as_sql = lambda *args, **kwargs: (sql, params)
        if self._statement_joins_as_written and connection.vendor == "postgresql":
            compiler.execute_sql = _joined_as_written(compiler, connection)
        return compiler

    def clone(self):  # chain(), count(), exists() and every narrowing start here
        raise TypeError(
            "A prepared statement (core.statements) runs the SQL it was compiled to: narrow it in its build "
            "function, or use the queryset itself."
        )


def sql_names(connection):
    """``table(model)`` and ``column(model, field name)``, quoted for ``connection``: for the rules whose SQL is
    written by hand once per process (referrals.policies, seekers.policies)."""
    quote = connection.ops.quote_name

    def table(model):
        return quote(model._meta.db_table)

    def column(model, name):
        return quote(model._meta.get_field(name).column)

    return table, column


_JOINS_AS_WRITTEN = "SET LOCAL join_collapse_limit = 1"


def _joined_as_written(compiler, connection):
    """``compiler.execute_sql`` with PostgreSQL told to join the tables in the order the SQL names them
    (``join_collapse_limit`` 1, for this statement only): for a statement that starts from one row found by an
    index and joins its related rows, the order as written is the plan, and searching the others cost more than
    running it (the referral page's eleven joins: 3.6 ms of planning, 1.4 with the order as written).

    Outside a transaction the setting and the statement go in one query string, which PostgreSQL runs as one
    transaction of its own (so ``SET LOCAL`` ends with it): one round trip, where BEGIN, SET, the statement and
    COMMIT took four. Inside the caller's transaction the setting is given, then put back for its other
    statements."""
    execute_sql, as_sql = compiler.execute_sql, compiler.as_sql

    def execute(result_type=MULTI, chunked_fetch=False, **kwargs):
        if chunked_fetch:  # a server-side cursor declares one statement: plan as usual
            return execute_sql(result_type, chunked_fetch=chunked_fetch, **kwargs)
        if connection.get_autocommit():  # no transaction open
            sql, params = as_sql()
            compiler.as_sql = lambda *args, **kwargs: (f"{_JOINS_AS_WRITTEN}; {sql}", params)
            return execute_sql(result_type, chunked_fetch=chunked_fetch, **kwargs)
        with connection.cursor() as cursor:
            cursor.execute(_JOINS_AS_WRITTEN)
        try:
            rows = execute_sql(result_type, chunked_fetch=chunked_fetch, **kwargs)
            if result_type == MULTI:
                rows = list(rows)  # read while the setting holds
        finally:  # the caller's transaction goes on: its other statements plan as usual
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL join_collapse_limit TO DEFAULT")
        return iter(rows) if result_type == MULTI else rows

    return execute


def id_places(ids, places: int) -> dict:
    """``ids`` (at most ``places`` of them) as a statement's arguments, one a place (``id00``, ``id01``, ...), the
    places left over given 0, which no row's id is: a list of any length up to ``places`` then binds into one
    kept SQL (``pk IN (%s, ... %s)``). The build function reads them back in order with ``from_places``."""
    if len(ids) > places:
        raise ValueError(f"{len(ids)} ids for {places} places")
    return {f"id{index:02d}": pk for index, pk in enumerate([*ids, *[0] * (places - len(ids))])}


def from_places(places: dict) -> list:
    """The ids ``id_places`` gave, in order."""
    return [places[name] for name in sorted(places)]


def as_uuid(value) -> uuid.UUID | None:
    """``value`` as a UUID (a public id from a URL or a form), or None when it is not one."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


class Statement:
    """A queryset's SQL kept per process (see the module's docstring); call it with the ids to bind."""

    def __init__(self, name: str, build, *, joins_as_written: bool = False):
        self.name, self.build, self.joins_as_written = name, build, joins_as_written
        self._kept: dict = {}
        self._lock = threading.Lock()
        _STATEMENTS.append(self)

    def _arguments(self, values: dict, shape: dict):
        arguments = {}
        for name, value in values.items():
            if name == "user" or name.endswith("_user"):
                arguments[name] = get_user_model()(pk=value, **shape)
            else:
                arguments[name] = value
        return arguments

    def _compile(self, names, kinds, shape: dict, using: str):
        builds = []
        for base in (_FIRST, _SECOND):
            stand_ins = {name: _stand_in(kind, base - index) for index, (name, kind) in enumerate(zip(names, kinds))}
            queryset = self.build(**self._arguments(stand_ins, shape))
            compiler = queryset.query.get_compiler(using=using)
            sql, params = compiler.as_sql()
            builds.append((queryset, compiler, sql, tuple(params), stand_ins))
        (queryset, compiler, sql, params, first), (_, _, sql_2, params_2, second) = builds
        if sql != sql_2 or len(params) != len(params_2):
            raise ValueError(f"{self.name}: the SQL changes with the ids; it cannot be kept")
        slots = []
        for position, (one, two) in enumerate(zip(params, params_2, strict=True)):
            if one == two:
                continue
            slot = next(
                (
                    (position, name, form)
                    for name in names
                    for form in _FORMS
                    if _as(form, first[name]) == one and _as(form, second[name]) == two
                ),
                None,
            )
            if slot is None:
                raise ValueError(f"{self.name}: parameter {position} changes with the ids; it cannot be kept")
            slots.append(slot)
        if {name for _, name, _ in slots} != set(names):
            raise ValueError(f"{self.name}: not every id reaches the SQL ({', '.join(names)})")
        return queryset, compiler, sql, params, tuple(slots)

    def __call__(self, shape: dict | None = None, **values):
        shape = shape or {}
        names = tuple(sorted(values))
        kinds = tuple(type(values[name]) for name in names)
        key = (names, kinds, tuple(sorted(shape.items())))
        kept = self._kept.get(key)
        if kept is None:
            with self._lock:
                kept = self._kept.get(key)
                if kept is None:
                    stand_ins = {name: _stand_in(kind, _FIRST) for name, kind in zip(names, kinds)}
                    using = self.build(**self._arguments(stand_ins, shape)).db
                    kept = self._kept[key] = self._compile(names, kinds, shape, using)
        model_queryset, compiler, sql, params, slots = kept
        bound = list(params)
        for position, name, form in slots:
            bound[position] = _as(form, values[name])
        return run_kept(model_queryset, compiler, sql, bound, joins_as_written=self.joins_as_written, prepare=True)

    def one(self, missing: Exception, shape: dict | None = None, **values):
        """The one row the statement gives (its build slices two, ``[:2]``), or ``missing`` raised when it gives
        none or is given no id (None: ``as_uuid`` of a malformed public id). For a page about one object."""
        if any(value is None for value in values.values()):
            raise missing
        found = list(self(shape, **values))
        if len(found) != 1:  # public ids are unique: none is nothing
            raise missing
        return found[0]

    def forget(self):
        self._kept.clear()


_STATEMENTS: list[Statement] = []

_PLACE = re.compile(r"id\d{2}$")


class IdsStatement(Statement):
    """A statement over a page's ids, at most ``places`` of them: ``build(ids=[...], **values)`` builds the queryset
    for a list of ids, which ``rows`` binds one a place (``id_places``), so that pages of any length up to
    ``places`` share one kept SQL; no ids, no query.

        _PAGE_ROWS = IdsStatement("a page's rows", lambda user, ids: Referral.objects.filter(pk__in=ids), places=26)
        rows = _PAGE_ROWS.rows(page_ids, user=request.user.pk)
    """

    def __init__(self, name: str, build, *, places: int | None = None, joins_as_written: bool = False):
        def from_each_place(**values):
            placed = {name: values.pop(name) for name in [name for name in values if _PLACE.match(name)]}
            return build(ids=from_places(placed), **values)

        super().__init__(name, from_each_place, joins_as_written=joins_as_written)
        self.places = places

    def rows(self, ids, shape: dict | None = None, *, places: int | None = None, **values) -> list:
        """The rows for ``ids``; ``places``: this call's number of places, for a statement given none (a page's
        length read from a setting)."""
        ids = list(ids)
        if not ids:
            return []
        return list(self(shape, **values, **id_places(ids, places or self.places)))


# PostgreSQL's prepared statements (PREPARE, then EXECUTE with the values): a kept statement is parsed and
# analysed once per database connection, and PostgreSQL may keep its plan (plan_cache_mode auto: after five
# custom plans, a generic one when it costs no more). Planning was half of PostgreSQL's time on Inbound
# Referrals (2.3 of ~5 ms: its four kept statements). Each name is for one SQL text in this process.
_PREPARED_NAMES: dict[str, str] = {}
_NAME_NUMBERS = itertools.count(1)  # never reused: forget_all() drops the names, a session may keep the statements
_NOT_PREPARABLE: set[str] = set()
_PLACEHOLDER = re.compile(r"%([s%])")


def _numbered(sql: str) -> tuple[str, int]:
    """``sql``'s ``%s`` placeholders as PREPARE's ``$1``, ``$2``..., its ``%%`` as ``%``; and how many."""
    count = 0

    def place(match):
        nonlocal count
        if match.group(1) == "%":
            return "%"
        count += 1
        return f"${count}"

    return _PLACEHOLDER.sub(place, sql), count


def _prepare(raw, name: str, text: str) -> None:
    with raw.cursor() as cursor:
        if raw.autocommit:
            cursor.execute(f"PREPARE {name} AS {text}")
            return
        cursor.execute("SAVEPOINT kept_prepare")
        try:
            cursor.execute(f"PREPARE {name} AS {text}")
        except BaseException:
            cursor.execute("ROLLBACK TO SAVEPOINT kept_prepare")
            cursor.execute("RELEASE SAVEPOINT kept_prepare")
            raise
        cursor.execute("RELEASE SAVEPOINT kept_prepare")


def prepared(connection, sql: str, params) -> tuple[str, tuple]:
    """(``EXECUTE name(%s, ...)``, ``params``) for ``sql`` prepared on ``connection``'s current database session,
    preparing it there first; (``sql``, ``params``) when PostgreSQL refused to prepare it (logged once).

    PREPARE goes through the driver's own cursor, not Django's: it is not one of the page's queries (query counts
    and captured SQL stay those of the page). Inside a transaction it runs in a savepoint, so a refusal leaves the
    transaction as it was. A prepared statement outlives a rollback; a new session (a new connection) prepares
    again. Another database than PostgreSQL gets (``sql``, ``params``): callers write
    ``cursor.execute(*prepared(connection, sql, params))`` for SQL they wrote once per process."""
    if connection.vendor != "postgresql" or not settings.DATABASE_PREPARED_STATEMENTS:
        return sql, params
    name = _PREPARED_NAMES.get(sql)
    if name is None:
        name = _PREPARED_NAMES.setdefault(sql, f"kept_{next(_NAME_NUMBERS)}")
    if name in _NOT_PREPARABLE:
        return sql, params
    connection.ensure_connection()
    raw = connection.connection
    session = getattr(connection, "_kept_prepared", None)
    if session is None or session[0] is not raw:
        session = connection._kept_prepared = (raw, set())
    if name not in session[1]:
        text, count = _numbered(sql)
        if count != len(params):
            _NOT_PREPARABLE.add(name)
            return sql, params
        try:
            _prepare(raw, name, text)
        except DuplicatePreparedStatement:
            pass  # the session has it already (prepared by an earlier wrapper of this connection)
        except (connection.Database.ProgrammingError, connection.Database.DataError) as error:
            _NOT_PREPARABLE.add(name)  # PostgreSQL cannot prepare this SQL (a value whose type it cannot tell)
            logger.warning("core.statements: PostgreSQL did not prepare a kept statement (%s); it runs as it is", error)
            return sql, params
        except connection.Database.Error:
            return sql, params  # the session cannot take it now (a lost connection, a failed transaction): the
            # statement itself meets the same trouble, through Django, which reports it as usual
        session[1].add(name)
    if not params:
        return f"EXECUTE {name}", params
    return f"EXECUTE {name}({', '.join(['%s'] * len(params))})", params


def run_kept(queryset, compiler, sql: str, params, *, joins_as_written: bool = False, prepare: bool = False):
    """``queryset`` answered by kept SQL: ``compiler`` is the one that compiled ``queryset`` (its columns and
    related rows are those ``sql`` returns, whatever else ``sql`` adds around them), ``params`` this call's. The
    rows come back through Django's own iterables, as the queryset's would; the result reads but cannot be
    narrowed. What ``Statement`` runs, and what program search runs around its own kept SQL
    (programs.selectors.CompiledPrograms)."""
    query = copy.copy(queryset.query)
    query.__class__ = _BoundQuery
    query._statement_compiler, query._statement_sql, query._statement_params = compiler, sql, tuple(params)
    query._statement_joins_as_written = joins_as_written
    query._statement_prepared = prepare
    # A shallow copy by hand: copy.copy() would pickle the queryset's state, which runs its own query first.
    result = queryset.__class__.__new__(queryset.__class__)
    result.__dict__.update(queryset.__dict__)
    # ``_query``, not the ``query`` setter: that one makes any values() queryset yield dicts (ValuesIterable),
    # values_list()'s tuples and flat values included.
    result._query, result._result_cache, result._prefetch_done = query, None, False
    return result


def forget_all(**kwargs):
    """Drop every kept statement: after migrate or flush (tests), ids a statement may hold can change."""
    for statement in _STATEMENTS:
        statement.forget()
    _PREPARED_NAMES.clear()  # the same SQL may now read other columns: prepared again, under a new name
    _NOT_PREPARABLE.clear()
