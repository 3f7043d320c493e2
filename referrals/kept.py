"""The network scorecard's kept counts: kept right in the transaction of every change they count.

The scorecard (reports.selectors.NetworkFigures) sums two tables instead of reading every referral of the
period (~540 ms for 90 days at a million referrals):

- ScorecardProgramCount: by program: referrals, answered, got help, declined for no capacity / not eligible,
  and the seeker's answers by channel (``Referral.answer_channel``, kept by the services);
- ScorecardZipCount: by category of the program and the seeker's zip code: referrals, got help and the two
  declines.

Each referral (entered-in-error ones left out) counts once at every level 0 to TOP_LEVEL, in the block of
``2**level`` days (aligned on EPOCH) that holds the day it was sent, in the site's time zone. Any period of
whole days is then a few blocks per level (``blocks``): 90 days read ~12 blocks, not 90 days of rows, and a
block's row sums every referral of its program (or category and zip code) in those days. Categories are
counted at write time so that the zip code table is small; a change of a program's categories moves its
counts (``watch_programs``).

Every change to what is counted goes through ``watch_*``: it reads the counted referrals' contributions
before the change and after it, and adds the difference with one INSERT ... ON CONFLICT DO UPDATE (an atomic
increment), in the caller's transaction. Locks make concurrent changes exact: a referral change holds the
referral's row (the services lock it) and a KEY SHARE lock on its seeker and program (a new referral: its
seeker FOR NO KEY UPDATE, as the service's own update of the seeker takes it, before the kept rows); a change
of the seeker's zip code takes the seeker FOR UPDATE and its referrals' programs FOR KEY SHARE; a change of
a program's categories takes the program FOR UPDATE. So no two changes of what one referral counts
interleave between their "before" and "after", and every lock is taken before any kept row (tests/reports/
test_scorecard_counts.py runs them at once). ``recount`` rebuilds the counts from the referrals (64 days at a time, locking the
tables against concurrent increments for each) and repairs and reports any drift (``manage.py recount_scorecard``, and the
nightly ``referrals.tasks.check_scorecard_counts``). Days are the site's (``TIME_ZONE``): after changing it,
recount.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock

from django.db import connection, transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from programs.models import Program
from seekers.models import Seeker

from .channels import AnswerChannel
from .models import Referral, ScorecardProgramCount, ScorecardZipCount
from .statuses import Reason, Status

logger = logging.getLogger(__name__)

EPOCH = date(2000, 1, 3)
TOP_LEVEL = 6  # blocks of 1, 2, 4, ..., 64 days
NO_CATEGORY = 0

CHANNEL_COUNTERS = {
    AnswerChannel.EMAIL_LINK: "answered_by_email_link",
    AnswerChannel.TEXT: "answered_by_text",
    AnswerChannel.SIGNED_IN: "answered_by_signed_in",
    AnswerChannel.STAFF: "answered_by_staff",
}
PROGRAM_COUNTERS = [
    "referrals",
    "answered",
    "got_help",
    "no_capacity",
    "not_eligible",
    *CHANNEL_COUNTERS.values(),
]
ZIP_COUNTERS = ["referrals", "got_help", "no_capacity", "not_eligible"]


@dataclass(frozen=True)
class Kind:
    model: type
    key: tuple[str, ...]  # the columns of the unique key, in order
    counters: tuple[str, ...]

    @property
    def table(self) -> str:
        return self.model._meta.db_table


PROGRAMS = Kind(ScorecardProgramCount, ("level", "first_day", "program_id"), tuple(PROGRAM_COUNTERS))
ZIPS = Kind(ScorecardZipCount, ("level", "first_day", "category_id", "zip_code"), tuple(ZIP_COUNTERS))
KINDS = (PROGRAMS, ZIPS)


# --------------------------------------------------------------------------------------------- blocks


def block_start(day: date, level: int) -> date:
    size = 1 << level
    return EPOCH + timedelta(days=((day - EPOCH).days // size) * size)


def blocks(start: date, end: date) -> list[tuple[int, date]]:
    """The (level, first day) of the fewest aligned blocks that cover ``start`` to ``end``, both included."""
    found, day, stop = [], start, end + timedelta(days=1)
    while day < stop:
        level = TOP_LEVEL
        while level and (block_start(day, level) != day or day + timedelta(days=1 << level) > stop):
            level -= 1
        found.append((level, day))
        day += timedelta(days=1 << level)
    return found


# --------------------------------------------------------------------------------------------- contributions


def _facts(condition: Q):
    """The counted referrals matching ``condition``, grouped by everything a count depends on. The one
    definition of what is counted: the maintenance (``contributions``) and the recount both read it."""
    return (
        Referral.objects.unscoped("the network scorecard's kept counts")
        .filter(condition)
        .exclude(status=Status.ENTERED_IN_ERROR)
        .values(
            "program_id",
            "status",
            "status_reason",
            zip=Coalesce(F("seeker__zip_code"), Value("")),
            day=TruncDate("sent_at", tzinfo=timezone.get_default_timezone()),
            is_answered=ExpressionWrapper(Q(first_response_at__isnull=False), output_field=BooleanField()),
            channel=F("answer_channel"),  # the seeker's latest answer, kept on the referral (referrals.channels)
        )
        .annotate(n=Count("id"))
        .order_by()
    )


def _categories(program_ids) -> dict[int, list[int]]:
    found = defaultdict(list)
    for program_id, category_id in Program.categories.through.objects.filter(program_id__in=program_ids).values_list(
        "program_id", "category_id"
    ):
        found[program_id].append(category_id)
    return {program_id: found.get(program_id) or [NO_CATEGORY] for program_id in program_ids}


def contributions(condition: Q, *, categories: dict | None = None) -> dict[tuple, list[int]]:
    """{(kind, key...): counters} that the referrals matching ``condition`` add to the kept counts.
    ``categories``: {program id: category ids} when the caller holds them already (read otherwise)."""
    rows = list(_facts(condition))
    missing = {row["program_id"] for row in rows} - set(categories or {})
    categories = {**(categories or {}), **(_categories(missing) if missing else {})}
    counts: dict[tuple, list[int]] = {}

    def add(key, values):
        current = counts.setdefault(key, [0] * len(values))
        for index, value in enumerate(values):
            current[index] += value

    for row in rows:
        n = row["n"]
        got_help = n if row["status"] == Status.GOT_HELP else 0
        declined = row["status"] == Status.DECLINED
        no_capacity = n if declined and row["status_reason"] == Reason.NO_CAPACITY else 0
        not_eligible = n if declined and row["status_reason"] == Reason.NOT_ELIGIBLE else 0
        channels = [n if row["channel"] == channel else 0 for channel in CHANNEL_COUNTERS]
        by_program = [n, n if row["is_answered"] else 0, got_help, no_capacity, not_eligible, *channels]
        by_zip = [n, got_help, no_capacity, not_eligible]
        for level in range(TOP_LEVEL + 1):
            first_day = block_start(row["day"], level)
            add((PROGRAMS, level, first_day, row["program_id"]), by_program)
            for category_id in categories[row["program_id"]]:
                add((ZIPS, level, first_day, category_id, row["zip"]), by_zip)
    return counts


def _add(changes: dict[tuple, list[int]]) -> None:
    """Adds ``changes`` to the kept counts: one atomic increment per row, in key order (no deadlocks)."""
    for kind in KINDS:
        rows = sorted((key[1:], values) for key, values in changes.items() if key[0] is kind and any(values))
        if not rows:
            continue
        columns = [*kind.key, *kind.counters]
        placeholders = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(rows))
        updates = ", ".join(f"{name} = {kind.table}.{name} + EXCLUDED.{name}" for name in kind.counters)
        sql = (
            f"INSERT INTO {kind.table} ({', '.join(columns)}) VALUES {placeholders} "
            f"ON CONFLICT ({', '.join(kind.key)}) DO UPDATE SET {updates}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [value for key, values in rows for value in (*key, *values)])


def _difference(before: dict, after: dict) -> dict:
    changes = {}
    for key in before.keys() | after.keys():
        old, new = before.get(key), after.get(key)
        width = len(old or new)
        changes[key] = [(new[i] if new else 0) - (old[i] if old else 0) for i in range(width)]
    return changes


# --------------------------------------------------------------------------------------------- watching changes


def _lock(model, ids, mode: str) -> None:
    """Row locks (PostgreSQL; other databases serialize their writers anyway), in id order."""
    ids = sorted({pk for pk in ids if pk is not None})
    if not ids or connection.vendor != "postgresql":
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {table} WHERE id = ANY(%s) ORDER BY id FOR {mode}", [ids])


@dataclass
class Watch:
    """The counted state of some referrals before a change; ``done()`` after the change adds the difference."""

    condition: Q
    before: dict = field(default_factory=dict)
    categories: dict | None = None  # the programs' categories, when the change cannot touch them

    def done(self) -> None:
        _add(_difference(self.before, contributions(self.condition, categories=self.categories)))


def watch_referral(referral: Referral) -> Watch:
    """Before a change to ``referral`` (locked by the caller): its status, first response, answers."""
    _lock(Seeker, [referral.seeker_id], "KEY SHARE")
    _lock(Program, [referral.program_id], "KEY SHARE")
    condition = Q(pk=referral.pk)
    # Its program's categories cannot change meanwhile (watch_programs waits on the program's lock).
    categories = _categories({referral.program_id})
    return Watch(condition, contributions(condition, categories=categories), categories)


def referral_counted(referral: Referral) -> None:
    """A new referral, once its history has started: its first counts. The seeker's row is locked as the
    service's own update of it (last activity) will lock it, before the kept rows rather than after them."""
    _lock(Seeker, [referral.seeker_id], "NO KEY UPDATE")
    _lock(Program, [referral.program_id], "KEY SHARE")
    _add(contributions(Q(pk=referral.pk)))


def watch_seeker(seeker_id: int) -> Watch:
    """Before a change to the seeker's zip code: every referral of theirs moves."""
    _lock(Seeker, [seeker_id], "UPDATE")
    condition = Q(seeker_id=seeker_id)
    # Their programs' categories are counted too: held against a recategorization (watch_programs) meanwhile.
    programs = Referral.objects.unscoped("the programs of the seeker's referrals").filter(condition)
    _lock(Program, programs.values_list("program_id", flat=True).distinct(), "KEY SHARE")
    return Watch(condition, contributions(condition))


def watch_programs(program_ids) -> Watch:
    """Before a change to the programs' categories: their referrals move to the new categories."""
    program_ids = sorted(set(program_ids))
    _lock(Program, program_ids, "UPDATE")
    condition = Q(program_id__in=program_ids)
    return Watch(condition, contributions(condition))


# --------------------------------------------------------------------------------------------- recount


@dataclass
class Drift:
    """What a recount found: kept rows that differed from the recount, by table, with a few examples."""

    rows: dict = field(default_factory=dict)  # table -> rows repaired
    examples: list = field(default_factory=list)
    referrals: int = 0
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.rows.values())

    def summary(self) -> str:
        found = ", ".join(f"{count} in {table}" for table, count in self.rows.items() if count) or "none"
        return f"{self.referrals} referrals recounted in {self.seconds:.1f} s; kept counts that differed: {found}"


def _facts_sql(condition: Q) -> tuple[str, list]:
    sql, params = _facts(condition).query.sql_with_params()
    return sql, list(params)


def _fresh_sql(kind: Kind, facts: str) -> str:
    """SELECT the recounted rows of ``kind`` from ``facts`` (a table or subquery of ``_facts`` rows)."""
    block = f"DATE '{EPOCH.isoformat()}' + (((f.day - DATE '{EPOCH.isoformat()}') / (1 << l.level)) * (1 << l.level))"
    sums = {
        "referrals": "SUM(f.n)",
        "answered": "SUM(f.n) FILTER (WHERE f.is_answered)",
        "got_help": f"SUM(f.n) FILTER (WHERE f.status = '{Status.GOT_HELP}')",
        "no_capacity": f"SUM(f.n) FILTER (WHERE f.status = '{Status.DECLINED}'"
        f" AND f.status_reason = '{Reason.NO_CAPACITY}')",
        "not_eligible": f"SUM(f.n) FILTER (WHERE f.status = '{Status.DECLINED}'"
        f" AND f.status_reason = '{Reason.NOT_ELIGIBLE}')",
        **{
            counter: f"SUM(f.n) FILTER (WHERE f.channel = '{channel}')" for channel, counter in CHANNEL_COUNTERS.items()
        },
    }
    counters = ", ".join(f"COALESCE({sums[name]}, 0) AS {name}" for name in kind.counters)
    levels = f"generate_series(0, {TOP_LEVEL}) AS l(level)"
    if kind is PROGRAMS:
        return (
            f"SELECT l.level, {block} AS first_day, f.program_id, {counters} FROM {facts} f CROSS JOIN {levels}"
            " GROUP BY 1, 2, 3"
        )
    through = Program.categories.through._meta.db_table
    return (
        f"SELECT l.level, {block} AS first_day, COALESCE(pc.category_id, {NO_CATEGORY}) AS category_id,"
        f" f.zip AS zip_code, {counters} FROM {facts} f LEFT JOIN {through} pc ON pc.program_id = f.program_id"
        f" CROSS JOIN {levels} GROUP BY 1, 2, 3, 4"
    )


def recount(*, progress=None) -> Drift:
    """Rebuilds the kept counts from the referrals and repairs every row that differed (PostgreSQL).

    One transaction per part: 64 days of ``sent_at`` aligned as the top blocks are (so a part holds whole
    blocks of every level), then the days before the first and after the last. While a part is recounted the
    kept tables are locked against increments (EXCLUSIVE: reads go on), so writers wait for one part (a few
    seconds at a million referrals), not the whole recount. A change committed before the lock is in the
    recount; one whose increment waits on the lock is added to the recounted rows afterwards: either way it
    counts once. ``progress(done, total)`` hears of each part.
    """
    if connection.vendor != "postgresql":
        return _recount_in_python(progress)
    started = time.perf_counter()
    drift = Drift(rows={kind.table: 0 for kind in KINDS})
    with connection.cursor() as cursor:
        cursor.execute("SELECT MIN(sent_at), MAX(sent_at), COUNT(*) FROM referrals_referral")
        first, last, drift.referrals = cursor.fetchone()
    parts = _parts(first, last)
    zone = timezone.get_default_timezone()
    for number, (since, until) in enumerate(parts, 1):
        condition = Q()
        if since is not None:
            condition &= Q(sent_at__gte=timezone.make_aware(datetime.combine(since, clock.min), zone))
        if until is not None:
            condition &= Q(sent_at__lt=timezone.make_aware(datetime.combine(until, clock.min), zone))
        sql, params = _facts_sql(condition)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {PROGRAMS.table}, {ZIPS.table} IN EXCLUSIVE MODE")
            # Dropped at the end too: ON COMMIT DROP does not drop them when this runs in a savepoint.
            cursor.execute(f"DROP TABLE IF EXISTS {', '.join(_TEMPORARY)}")
            cursor.execute(
                "CREATE TEMPORARY TABLE scorecard_facts (program_id bigint, status text, status_reason text,"
                " zip text, day date, is_answered boolean, channel text, n bigint) ON COMMIT DROP"
            )
            cursor.execute(
                f"INSERT INTO scorecard_facts (program_id, status, status_reason, zip, day, is_answered, channel, n) {sql}",
                params,
            )
            cursor.execute("ANALYZE scorecard_facts")
            days = [f">= DATE '{since.isoformat()}'"] if since is not None else []
            days += [f"< DATE '{until.isoformat()}'"] if until is not None else []
            for kind in KINDS:
                drift.rows[kind.table] += _repair(cursor, kind, drift, days)
            cursor.execute(f"DROP TABLE {', '.join(_TEMPORARY)}")
        if progress:
            progress(number, len(parts))
    drift.examples = drift.examples[:10]
    drift.seconds = time.perf_counter() - started
    return drift


def _recount_in_python(progress) -> Drift:
    """The recount on other databases (SQLite under ``make run``: a demo's few hundred referrals), in Python."""
    started = time.perf_counter()
    drift = Drift(referrals=Referral.objects.unscoped("the scorecard's recount").count())
    with transaction.atomic():
        fresh = contributions(Q())
        for kind in KINDS:
            stored = {
                (kind, *(row[name] for name in kind.key)): [row[name] for name in kind.counters]
                for row in kind.model.objects.values(*kind.key, *kind.counters)
            }
            zeros = [0] * len(kind.counters)
            mine = {key: values for key, values in fresh.items() if key[0] is kind}
            differing = sorted(
                (key for key in stored.keys() | mine.keys() if stored.get(key, zeros) != mine.get(key, zeros)),
                key=lambda key: key[1:],
            )
            drift.rows[kind.table] = len(differing)
            drift.examples += [
                (kind.table, *key[1:], str(stored.get(key)), str(mine.get(key))) for key in differing[:5]
            ]
            _add(
                _difference(
                    {key: stored.get(key, zeros) for key in differing}, {key: mine.get(key, zeros) for key in differing}
                )
            )
            kind.model.objects.filter(**{name: 0 for name in kind.counters}).delete()
    if progress:
        progress(1, 1)
    drift.seconds = time.perf_counter() - started
    return drift


def tidy() -> None:
    """VACUUM ANALYZE of the kept tables (outside a transaction): the scorecard reads their blocks from the
    covering index alone where the table's pages are marked all-visible, which a vacuum does."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            for kind in KINDS:
                cursor.execute(f"VACUUM ANALYZE {kind.table}")


def _parts(first, last) -> list[tuple]:
    """The recount's parts as (first day, day after) in the site's days, None for an open end: every 64-day top
    block from the first referral's to today's (or the last referral's), then the days before and after."""
    if first is None:
        return [(None, None)]
    zone = timezone.get_default_timezone()
    day = block_start(timezone.localtime(first, zone).date(), TOP_LEVEL)
    end = max(timezone.localtime(last, zone).date(), timezone.localdate())
    bounds = [day]
    while bounds[-1] <= end:
        bounds.append(bounds[-1] + timedelta(days=1 << TOP_LEVEL))
    return [(None, bounds[0]), *zip(bounds, bounds[1:]), (bounds[-1], None)]


def _fresh_table(kind: Kind) -> str:
    return f"scorecard_fresh_{kind.model._meta.model_name}"


_TEMPORARY = ["scorecard_facts", *(_fresh_table(kind) for kind in KINDS)]


def _repair(cursor, kind: Kind, drift: Drift, days: list[str]) -> int:
    """Makes ``kind``'s kept rows of the part (``days``: comparisons that first_day meets) equal the recounted
    ones: returns how many differed (zero rows aside)."""
    fresh = _fresh_table(kind)
    in_part = " AND ".join([f"k.first_day {comparison}" for comparison in days] or ["TRUE"])
    cursor.execute(f"CREATE TEMPORARY TABLE {fresh} ON COMMIT DROP AS {_fresh_sql(kind, 'scorecard_facts')}")
    key = ", ".join(kind.key)
    kept_values = ", ".join(f"k.{name}" for name in kind.counters)
    fresh_values = ", ".join(f"f.{name}" for name in kind.counters)
    zero = " AND ".join(f"k.{name} = 0" for name in kind.counters)
    joined = " AND ".join(f"f.{name} = k.{name}" for name in kind.key)
    # Examples of what differed, for the report: kept and recounted values side by side.
    cursor.execute(
        f"SELECT {', '.join(f'COALESCE(k.{name}, f.{name})' for name in kind.key)}, ROW({kept_values})::text,"
        f" ROW({fresh_values})::text FROM (SELECT * FROM {kind.table} k WHERE {in_part}) k FULL JOIN {fresh} f ON {joined}"
        f" WHERE CASE WHEN f.level IS NULL THEN NOT ({zero}) WHEN k.level IS NULL THEN TRUE"
        f" ELSE ROW({kept_values}) IS DISTINCT FROM ROW({fresh_values}) END ORDER BY 1, 2 LIMIT 5"
    )
    drift.examples += [(kind.table, *row) for row in cursor.fetchall()]
    cursor.execute(
        f"DELETE FROM {kind.table} k WHERE {in_part} AND NOT ({zero})"
        f" AND NOT EXISTS (SELECT 1 FROM {fresh} f WHERE {joined})"
    )
    removed = cursor.rowcount
    # Rows counted down to nothing: housekeeping.
    cursor.execute(f"DELETE FROM {kind.table} k WHERE {in_part} AND {zero}")
    changes = ", ".join(f"{name} = EXCLUDED.{name}" for name in kind.counters)
    cursor.execute(
        f"INSERT INTO {kind.table} ({key}, {', '.join(kind.counters)}) SELECT {key}, {', '.join(kind.counters)}"
        f" FROM {fresh} ON CONFLICT ({key}) DO UPDATE SET {changes}"
        f" WHERE ROW({', '.join(f'{kind.table}.{name}' for name in kind.counters)})"
        f" IS DISTINCT FROM ROW({', '.join(f'EXCLUDED.{name}' for name in kind.counters)})"
    )
    return removed + cursor.rowcount
