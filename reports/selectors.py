"""The figures of the reports, computed in the database.

Every figure comes from an aggregate (COUNT ... FILTER, percentile_cont, GROUP BY a computed bucket or
week), all of a page's in one SQL statement (``OrganizationFigures``, ``NetworkFigures``); Python only
formats the handful of rows that come back, so the number of queries does not depend on the number of
referrals. Each section is one function that returns a ``Table``; the page and its CSV download call the
same function, so their figures cannot drift apart (the page may show only a table's first rows).

Rules the figures follow (also in the README):
- a referral belongs to the period by its ``sent_at``, in the site's time zone, both dates included;
- referrals entered in error are left out of every figure (they were never real);
- time to first response runs from ``sent_at`` to ``first_response_at`` (the first status change made by
  the program); median and 90th percentile are over the answered referrals;
- "answered within the expected time": answered no later than the program's ``expected_response_hours``
  after sending, out of the referrals that were answered or whose expected time ran out unanswered (while
  open, or before they were closed); a referral closed before its expected time without an answer is not
  counted either way;
- "need follow-up": still open, never answered, and past the program's expected response time.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import sys
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import partial

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    CharField,
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Min,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncWeek
from django.db.models.lookups import GreaterThan, GreaterThanOrEqual, LessThan
from django.utils import timezone

from core.page_cache import PageCache
from programs.models import Category, Program
from referrals import kept as kept_counts
from referrals import stalls, statuses
from referrals.channels import AnswerChannel, answer_channel
from referrals.models import Referral, ScorecardProgramCount, ScorecardZipCount
from referrals.statuses import Reason, Status

from .aggregates import Hours, percentile_sql

logger = logging.getLogger(__name__)

# The pages show the first rows of each long table (a site may refer to a thousand programs in 90 days,
# the network counts 25,000 category and zip code pairs); the CSV download of the same table has them all.
PAGE_ROW_LIMIT = 50
FOLLOW_UP_LIST_LIMIT = 200
DISAGREEMENT_LIST_LIMIT = 100


# --------------------------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class Link:
    """A table cell that links to a page (the CSV carries its address)."""

    text: str
    url: str


@dataclass
class Table:
    slug: str
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    description: str = ""
    note: str = ""
    chart: str = ""  # inline SVG, set by the view


def cell_text(value) -> str:
    """The one text form of a cell, for the page and the CSV alike."""
    if value is None:
        return ""
    if isinstance(value, Link):
        return value.url
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# --------------------------------------------------------------------------------------------- period


@dataclass(frozen=True)
class Period:
    """From ``start`` to ``end``, both dates included, in the current (site) time zone."""

    start: date
    end: date

    @classmethod
    def default(cls, today: date | None = None) -> Period:
        today = today or timezone.localdate()
        return cls(start=today - timedelta(days=89), end=today)

    @property
    def since(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def until(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    def weeks(self) -> list[date]:
        """The Mondays of every week the period touches."""
        monday = self.start - timedelta(days=self.start.weekday())
        weeks = []
        while monday <= self.end:
            weeks.append(monday)
            monday += timedelta(days=7)
        return weeks

    def query_string(self) -> dict:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}

    @property
    def week_starts(self) -> list[datetime]:
        """The moments the weeks of ``weeks()`` begin (Monday midnight in the site's time zone)."""
        return [timezone.make_aware(datetime.combine(monday, time.min)) for monday in self.weeks()]


# --------------------------------------------------------------------------------------------- expressions

HOUR = timedelta(hours=1)


def _response_time():
    """sent_at -> first_response_at, as an interval (NULL while unanswered)."""
    return ExpressionWrapper(F("first_response_at") - F("sent_at"), output_field=DurationField())


def _expected_by():
    """The moment the program's expected response time runs out (timestamp arithmetic: cheap per row)."""
    return ExpressionWrapper(F("sent_at") + Hours(F("program__expected_response_hours")), output_field=DateTimeField())


def _conditions(now: datetime) -> dict[str, Q]:
    answered = Q(first_response_at__isnull=False)
    within = answered & Q(first_response_at__lte=_expected_by())
    # Unanswered and past the expected time: while still open (now), or before it was closed.
    waited_until = Coalesce(F("closed_at"), Value(now, output_field=DateTimeField()))
    overdue_unanswered = Q(first_response_at__isnull=True) & Q(GreaterThan(waited_until, _expected_by()))
    return {
        "answered": answered,
        "within": within,
        "judged": answered | overdue_unanswered,
        "got_help": Q(status=Status.GOT_HELP),
        "declined": Q(status=Status.DECLINED),
        "not_completed": Q(status=Status.NOT_COMPLETED),
        "withdrawn": Q(status=Status.WITHDRAWN),
        "still_open": Q(status__in=sorted(statuses.OPEN)),
        "disagreements": ~Q(seeker_outcome="") & ~Q(program_outcome="") & ~Q(seeker_outcome=F("program_outcome")),
        "follow_up": Q(status__in=sorted(statuses.OPEN)) & overdue_unanswered,
        # Answered, then left in its status past the program's stall period (referrals.stalls).
        "stalled": stalls.stalled_q(now),
    }


def _stalled_for(now: datetime):
    """How long a stalled referral has been stalled, as an interval (NULL when it is not stalled)."""
    return Case(
        When(
            stalls.stalled_q(now),
            then=ExpressionWrapper(
                Value(now, output_field=DateTimeField()) - F("stall_due_at"), output_field=DurationField()
            ),
        ),
        output_field=DurationField(),
    )


# The moments at which a figure that depends on the current time changes next, per referral (NULL: none ahead), and
# the earliest of each in the report's totals (KeptFigures keeps the figures no longer):
# - an open referral not answered yet becomes overdue ("judged", "need follow-up", the follow-up list) when its
#   program's expected response time runs out; a closed one was judged when it closed;
# - a referral in a status that stalls becomes stalled ("stalled") at its ``stall_due_at`` (its "median days
#   stalled" grows with the clock for every stalled referral alike: OrganizationFigures.part moves it on).
NEXT_CHANGES = ("next_overdue", "next_stalled")


def _next_changes(now: datetime) -> dict:
    moment = Value(now, output_field=DateTimeField())
    unanswered_open = Q(first_response_at__isnull=True, closed_at__isnull=True)
    return {
        "next_overdue": Case(
            When(unanswered_open & Q(GreaterThan(_expected_by(), moment)), then=_expected_by()),
            output_field=DateTimeField(),
        ),
        "next_stalled": Case(
            When(Q(status__in=statuses.STALLABLE, stall_due_at__gt=now), then=F("stall_due_at")),
            output_field=DateTimeField(),
        ),
    }


FIGURE_COLUMNS = [
    "Referrals",
    "Answered",
    "Median hours to first response",
    "90th percentile hours",
    "Answered within expected time (%)",
    "Got help",
    "Declined",
    "Not completed",
    "Withdrawn",
    "Still open",
    "Seeker and program disagree",
    "Need follow-up",
]


def _share(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _hours(value) -> float | None:
    if value is None:
        return None
    if isinstance(value, timedelta):
        value = value / HOUR
    return round(float(value), 1)


def _figure_cells(row: dict) -> list:
    return [
        row["referrals"],
        row["answered"],
        _hours(row["median_response"]),
        _hours(row["p90_response"]),
        _share(row["within"], row["judged"]),
        row["got_help"],
        row["declined"],
        row["not_completed"],
        row["withdrawn"],
        row["still_open"],
        row["disagreements"],
        row["follow_up"],
    ]


# Upper bounds, and the label of each bucket of the response-time distribution.
RESPONSE_BUCKETS = [
    (timedelta(hours=1), "Under 1 hour"),
    (timedelta(hours=4), "1 to 4 hours"),
    (timedelta(hours=24), "4 to 24 hours"),
    (timedelta(days=3), "1 to 3 days"),
    (timedelta(days=7), "3 to 7 days"),
    (None, "More than 7 days"),
]
NOT_ANSWERED_LABEL = "Not answered"


def _bucket_conditions() -> list[tuple[str, Q]]:
    """(label, condition) for each bucket, then the unanswered referrals."""
    buckets, lower = [], None
    for upper, label in RESPONSE_BUCKETS:
        condition = Q(first_response_at__isnull=False)
        if lower is not None:
            condition &= Q(GreaterThanOrEqual(_response_time(), Value(lower)))
        if upper is not None:
            condition &= Q(LessThan(_response_time(), Value(upper)))
        buckets.append((label, condition))
        lower = upper
    buckets.append((NOT_ANSWERED_LABEL, Q(first_response_at__isnull=True)))
    return buckets


def _bucket_index() -> Case:
    """The position in ``_bucket_conditions()`` of a referral's bucket, written as one ordered comparison per
    bucket (the first that holds wins): the same buckets as the conditions, for a third of their work per row."""
    buckets = _bucket_conditions()
    whens = [When(Q(first_response_at__isnull=True), then=Value(len(buckets) - 1))]
    for index, (upper, _) in enumerate(RESPONSE_BUCKETS[:-1]):
        whens.append(When(LessThan(_response_time(), Value(upper)), then=Value(index)))
    return Case(*whens, default=Value(len(RESPONSE_BUCKETS) - 1), output_field=IntegerField())


def _outcomes() -> list[tuple[str, frozenset, str | None]]:
    """(label, statuses, reason: None for any) of every closing the status table allows, then "still open"."""
    kinds = [("Got help", frozenset({Status.GOT_HELP.value}), None)]
    for status in (Status.DECLINED, Status.NOT_COMPLETED, Status.WITHDRAWN):
        for reason in statuses.RULES[status].reasons:
            kinds.append(
                (f"{Status(status).label}: {Reason(reason).label}", frozenset({status.value}), Reason(reason).value)
            )
    kinds.append(("Still open", frozenset(status.value for status in statuses.OPEN), None))
    return kinds


def outcome_kinds() -> list[tuple[str, Q]]:
    """(label, condition) for every closing the status table allows, then "still open"."""
    kinds = []
    for label, kind_statuses, reason in _outcomes():
        if len(kind_statuses) > 1:
            kinds.append((label, Q(status__in=sorted(kind_statuses))))
        elif reason is None:
            kinds.append((label, Q(status=next(iter(kind_statuses)))))
        else:
            kinds.append((label, Q(status=next(iter(kind_statuses)), status_reason=reason)))
    return kinds


@functools.cache
def outcome_of(status: str, status_reason: str) -> int | None:
    """The position in ``outcome_kinds()`` of the first kind a referral of this status and reason is (None: none,
    as for a referral entered in error): the kinds' conditions, for the report's rows grouped by both. The status
    table is the code's, so the answer is kept for the process."""
    for index, (_, kind_statuses, reason) in enumerate(_outcomes()):
        if status in kind_statuses and (reason is None or reason == status_reason):
            return index
    return None


# --------------------------------------------------------------------------------------------- organization


class Direction:
    OUTBOUND = "outbound"
    INBOUND = "inbound"
    BOTH = (OUTBOUND, INBOUND)
    LABELS = {OUTBOUND: "Sent (outbound)", INBOUND: "Received (inbound)"}


def organization_referrals(*, organization, direction: str, period: Period, referrals=None):
    """The organization's referrals of the period: as a site (outbound) or as a provider (inbound).

    ``organization`` must come from the viewer's own admin memberships (see reports.views). ``referrals``
    (default: all) is the queryset to start from, such as the report's annotated rows.
    """
    referrals = Referral.objects.all() if referrals is None else referrals
    if direction == Direction.OUTBOUND:
        # A self-referral is owned by the program's organization but was sent by nobody: never outbound.
        referrals = referrals.for_organization(organization).filter(referred_by__isnull=False)
    else:
        # Inbound referrals carry the referring site as their organization; the provider is reached
        # through the program. The organization itself was taken from the viewer's admin memberships.
        referrals = referrals.unscoped("inbound referrals of an organization its admin reports on").filter(
            program__organization=organization
        )
    return referrals.filter(sent_at__gte=period.since, sent_at__lt=period.until).exclude(status=Status.ENTERED_IN_ERROR)


@dataclass(frozen=True)
class Breakdown:
    slug: str
    direction: str
    title: str
    label: str
    key: str  # the column of OrganizationFigures.rows that groups
    # The statement's name columns -> where each comes from, in the table's order: a column of
    # OrganizationFigures.rows grouped with the key, or (``named_by``) a field of that model, read by the key for
    # each group once the rows are grouped (a person's name is read once per person, not once per referral).
    names: dict
    empty_label: str = ""
    named_by: str = ""  # "app_label.Model" whose primary key is the key

    def name(self, row: dict) -> str:
        values = [row[column] for column in self.names]
        if all(value in (None, "") for value in values):
            return self.empty_label
        return " ".join(str(value) for value in values if value)


BREAKDOWNS = {
    breakdown.slug: breakdown
    for breakdown in [
        Breakdown(
            "outbound-by-program",
            Direction.OUTBOUND,
            "Sent, by the program referred to",
            "Program",
            "program_id",
            {"name": "program_name"},
        ),
        Breakdown(
            "outbound-by-team",
            Direction.OUTBOUND,
            "Sent, by team",
            "Team",
            "referred_by_team_id",
            {"name": "name"},
            "No team",
            named_by="accounts.Team",
        ),
        Breakdown(
            "outbound-by-person",
            Direction.OUTBOUND,
            "Sent, by person",
            "Person",
            "referred_by_id",
            {"first_name": "first_name", "last_name": "last_name"},
            named_by=settings.AUTH_USER_MODEL,
        ),
        Breakdown(
            "inbound-by-program",
            Direction.INBOUND,
            "Received, by our program",
            "Program",
            "program_id",
            {"name": "program_name"},
        ),
        Breakdown(
            "inbound-by-organization",
            Direction.INBOUND,
            "Received, by the referring organization",
            "Referring organization",
            "referring_organization_id",
            {"name": "name"},
            "Self-referral",
            named_by="accounts.Organization",
        ),
    ]
}


def _duration(value) -> timedelta | None:
    """A duration from raw SQL: PostgreSQL returns an interval, SQLite the microseconds Django stores."""
    if value is None or isinstance(value, timedelta):
        return value
    return timedelta(microseconds=value)


def _moment(value) -> datetime:
    """A ``sent_at`` from raw SQL: PostgreSQL returns it aware, SQLite as Django stores it (text, UTC)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if timezone.is_aware(value) else timezone.make_aware(value, UTC)


def _week_of(connection, period):
    """A referral's week. PostgreSQL: the number of the week in the period's ``week_starts`` (1 for the first), found
    among those moments (``width_bucket``), which costs less than the Monday of ``sent_at`` in the site's time zone
    (``TruncWeek``: a time zone conversion for each referral, ~1 ms a report); SQLite: that Monday."""
    if connection.vendor == "postgresql":
        return Func(F("sent_at"), Value(list(period.week_starts)), function="width_bucket", output_field=IntegerField())
    return TruncWeek("sent_at")


def _week(value) -> date:
    """The Monday of a ``TruncWeek`` from raw SQL: PostgreSQL returns a local timestamp, SQLite its text."""
    return value.date() if isinstance(value, datetime) else date.fromisoformat(value[:10])


# Conditions the report counts by a column its rows have anyway, which is NULL exactly where the condition does
# not hold (COUNT counts the rest): answered (the response time) and stalled (how long, ``_stalled_for``). The rows
# then skip computing them.
COUNTED_BY_COLUMN = {"answered": "response", "stalled": "stalled_for"}
# Figures only the report's totals show (stalled_table), not its breakdowns.
TOTAL_ONLY = {"stalled", "median_stalled"}


class OrganizationFigures:
    """Every figure of one organization's report, from one SQL statement.

    At a million referrals the report sent thirteen queries built by the ORM, one per section and
    direction; building them cost as much as running them (~2 ms of Python each), and each read the
    period's referrals again. Now the ORM builds one row per referral with every condition of the report
    as a column (``rows``: the same ``_conditions``, outcome kinds and response-time buckets as before, so
    every figure keeps its definition, and Django writes each database's SQL for them); one statement reads
    those rows once (a CTE per direction) and answers every section with a UNION ALL of GROUP BYs and of
    the two lists (``_parts_of``). Medians and percentiles stay exact: they are
    computed over the rows of each group, as before, never added up. A daily roll-up table would not do:
    the figures are "as they stand now" (a referral sent in the first week may close today), several
    depend on the current time (overdue, need follow-up, hours waiting), percentiles cannot be summed, and
    the breakdown by program has about one referral per program and day.

    ``row_limit`` bounds the breakdowns and the lists (the page shows their first rows; the CSV download
    has every row, up to the lists' own limits).
    """

    def __init__(self, *, organization, period: Period, now: datetime, row_limit: int | None = None):
        self.organization, self.period, self.now, self.row_limit = organization, period, now, row_limit
        self._parts = None

    def rows(self) -> dict:
        """Direction -> one row per referral, with the columns and conditions the statement reads.

        The columns are resolved once for both directions (Django takes ~3 ms to resolve them).
        """
        connection = connections[Referral.objects.db]
        conditions = {
            name: ExpressionWrapper(condition, output_field=BooleanField())
            for name, condition in _conditions(self.now).items()
            if name not in COUNTED_BY_COLUMN
        }
        rows = Referral.objects.values(
            "id",
            "public_id",
            "sent_at",
            "seeker_outcome",
            "program_outcome",
            "program_id",
            "referred_by_id",
            "referred_by_team_id",
            "organization_id",
            "status",  # grouped with its reason into outcome_kinds() after grouping (outcome_of)
            "status_reason",
            "answer_channel",  # kept on the referral (referrals.channels), not looked up in each one's history
            # The program is joined for its expected response time, which most figures need; the names of
            # people, teams and organizations are read after grouping (``_parts_of``).
            program_name=F("program__name"),
            expected_hours=F("program__expected_response_hours"),
            # A self-referral has no referring organization (it is owned by the program's): its own line.
            referring_organization_id=Case(
                When(referred_by__isnull=True, then=Value(None)),
                default=F("organization_id"),
                output_field=BigIntegerField(),
            ),
            response=_response_time(),
            stalled_for=_stalled_for(self.now),
            **_next_changes(self.now),
            week=_week_of(connection, self.period),
            bucket=_bucket_index(),
            **conditions,
        ).order_by()  # the statement orders what it needs; the model's default order would sort every row
        return {
            direction: organization_referrals(
                organization=self.organization, direction=direction, period=self.period, referrals=rows
            )
            for direction in Direction.BOTH
        }

    def part(self, direction: str, part: str) -> list[dict]:
        """The rows of ``part`` ("total", "weekly", "outcome", "bucket", a breakdown's or a list's slug)."""
        if self._parts is None:
            self._parts = {}
            rows, counted_at = KeptFigures(self).rows()
            for row in sorted(rows, key=lambda row: row["position"]):
                row["median_response"] = _duration(row["median_response"])
                row["p90_response"] = _duration(row["p90_response"])
                row["median_stalled"] = _duration(row["median_stalled"])
                if row["median_stalled"] is not None:
                    # Every stalled referral has been stalled that much longer since the figures were counted (the
                    # same ones are stalled: KeptFigures keeps nothing past the next referral to stall).
                    row["median_stalled"] += self.now - counted_at
                self._parts.setdefault((row["direction"], row["part"]), []).append(row)
        return self._parts.get((direction, part), [])

    def list_limit(self, limit: int) -> int:
        return limit if self.row_limit is None else min(limit, int(self.row_limit))

    def _run(self) -> list[dict]:
        connection = connections[Referral.objects.db]
        sql, params = _written_statement(connection, self.row_limit)
        return _fetch(connection, sql, _bound(connection, params, self))

    def statement(self) -> tuple[str, list]:
        """The statement of this report as the ORM writes it (SQL and parameters), before any binding."""
        ctes = self.rows()
        connection = connections[ctes[Direction.OUTBOUND].db]
        parts = [part for direction in Direction.BOTH for part in self._parts_of(direction, connection)]
        return _statement_sql(ctes, parts)

    def _parts_of(self, direction: str, connection) -> list[str]:
        """The SELECTs of every section for one direction, from its CTE (named after the direction)."""
        counts = {
            "referrals": "COUNT(*)",
            **{
                name: f"COUNT({COUNTED_BY_COLUMN[name]})"
                if name in COUNTED_BY_COLUMN
                else f"COUNT(*) FILTER (WHERE {name})"
                for name in _conditions(self.now)
            },
        }
        percentiles = {
            "median_response": percentile_sql(connection, "response", 0.5),
            "p90_response": percentile_sql(connection, "response", 0.9),
            "median_stalled": percentile_sql(connection, "stalled_for", 0.5),
        }
        columns = {  # of the statement, with their types (see _select)
            "direction": "TEXT",
            "part": "TEXT",
            "position": "BIGINT",
            "item": "BIGINT",
            "week": "BIGINT" if connection.vendor == "postgresql" else "TIMESTAMP",  # see _week_of
            "name": "TEXT",
            "status": "TEXT",
            "status_reason": "TEXT",
            "first_name": "TEXT",
            "last_name": "TEXT",
            **{name: "BIGINT" for name in counts},
            **{name: "INTERVAL" for name in percentiles},
            **{name: "TIMESTAMPTZ" for name in NEXT_CHANGES},
            "public_id": "UUID",
            "sent_at": "TIMESTAMPTZ",
            "program_name": "TEXT",
            "expected_hours": "INTEGER",
            "seeker_outcome": "TEXT",
            "program_outcome": "TEXT",
        }

        def select(part, **values):
            return _select(columns, direction=f"'{direction}'", part=f"'{part}'", **values)

        # Grouped and ordered columns are named with their table ("outbound.week"): ORDER BY takes a bare name
        # for the output column of that name (the lists' "program_name", NULL in a breakdown).
        table, figures = direction, {**counts, **percentiles}
        next_changes = {name: f"MIN({table}.{name})" for name in NEXT_CHANGES}
        parts = [f"{select('total', **figures, **next_changes)} FROM {table}"]
        # The referrals by week, status and reason (outcome_of), response-time bucket and answer channel: part ->
        # {its column of the statement: the CTE's column it groups by}.
        simple = {
            "weekly": {"week": "week"},
            "outcome": {"status": "status", "status_reason": "status_reason"},
            "bucket": {"item": "bucket"},
            "answers": {"name": "answer_channel"},
        }
        if connection.vendor == "postgresql":
            # One pass over the rows for the four (GROUPING SETS), where four parts cost ~1 ms more to plan and run.
            grouped = {part: f"GROUPING({table}.{next(iter(by.values()))}) = 0" for part, by in simple.items()}
            values = {}
            for part, by in simple.items():
                for output, column in by.items():
                    values.setdefault(output, []).append(f"WHEN {grouped[part]} THEN {table}.{column}")
            sets = ", ".join(f"({', '.join(f'{table}.{column}' for column in by.values())})" for by in simple.values())
            parts.append(
                _select(
                    columns,
                    direction=f"'{direction}'",
                    part=f"CASE {' '.join(f'WHEN {grouped[part]} THEN {part!r}' for part in simple)} END",
                    referrals="COUNT(*)",
                    **{output: f"CASE {' '.join(whens)} END" for output, whens in values.items()},
                )
                + f" FROM {table} GROUP BY GROUPING SETS ({sets})"
            )
        else:  # SQLite has no GROUPING SETS
            parts += [
                f"{select(part, **by, referrals='COUNT(*)')} FROM {table}"
                f" GROUP BY {', '.join(f'{table}.{column}' for column in by.values())}"
                for part, by in simple.items()
            ]
        one_more = "" if self.row_limit is None else f" LIMIT {int(self.row_limit) + 1}"  # to say "the first rows"
        # A breakdown's rows show FIGURE_COLUMNS: the stalled referrals and how long (the summary's "Stalled"
        # table) are not among them, and their median cost a sort of each group's rows.
        figures = {name: sql for name, sql in figures.items() if name not in TOTAL_ONLY}
        for breakdown in BREAKDOWNS.values():
            if breakdown.direction != direction:
                continue
            # Grouped by the key (and the names the rows carry), then named: "grouped" has a row per group.
            carried = [] if breakdown.named_by else list(breakdown.names.values())
            grouped = ", ".join(f"{table}.{column}" for column in [*carried, breakdown.key])
            inner = ", ".join(
                [f"{table}.{breakdown.key} AS item", *(f"{table}.{column}" for column in carried)]
                + [f"{sql} AS {name}" for name, sql in figures.items()]
            )
            source = f"(SELECT {inner} FROM {table} GROUP BY {grouped}) AS grouped"
            if breakdown.named_by:
                # A lookup by primary key per group (a join let PostgreSQL hash all 13,000 people for 20 groups).
                meta = apps.get_model(breakdown.named_by)._meta
                quote = connection.ops.quote_name
                looked_up = ", ".join(
                    f"(SELECT named.{quote(meta.get_field(field).column)} FROM {quote(meta.db_table)} AS named"
                    f" WHERE named.{quote(meta.pk.column)} = grouped.item) AS named_{name}"
                    for name, field in breakdown.names.items()
                )
                source = f"(SELECT grouped.*, {looked_up} FROM {source}) AS grouped"
                names = {name: f"grouped.named_{name}" for name in breakdown.names}
            else:
                names = {name: f"grouped.{column}" for name, column in breakdown.names.items()}
            order = ", ".join([*names.values(), "grouped.item"])
            values = {name: f"grouped.{name}" for name in figures}
            parts.append(
                _ordered(
                    f"{select(breakdown.slug, position=f'ROW_NUMBER() OVER (ORDER BY {order})', item='grouped.item', **names, **values)}"
                    f" FROM {source} ORDER BY {order}{one_more}"
                )
            )
        # The lists: the first rows by date, then the referrer's name of those rows only.
        person = apps.get_model(settings.AUTH_USER_MODEL)._meta
        quote = connection.ops.quote_name
        listed = {
            **{
                column: f"listed.{column}"
                for column in [
                    "public_id",
                    "sent_at",
                    "program_name",
                    "expected_hours",
                    "seeker_outcome",
                    "program_outcome",
                ]
            },
            **{column: f"person.{quote(person.get_field(column).column)}" for column in ["first_name", "last_name"]},
        }
        order = "listed.sent_at, listed.id"
        for slug, condition, limit in [
            ("follow-up", "follow_up", FOLLOW_UP_LIST_LIMIT),
            ("disagreements", "disagreements", DISAGREEMENT_LIST_LIMIT),
        ]:
            first = (
                f"SELECT * FROM {table} WHERE {table}.{condition} ORDER BY {table}.sent_at, {table}.id"
                f" LIMIT {self.list_limit(limit)}"
            )
            parts.append(
                _ordered(
                    f"{select(slug, position=f'ROW_NUMBER() OVER (ORDER BY {order})', item='listed.id', **listed)}"
                    f" FROM ({first}) AS listed LEFT JOIN {quote(person.db_table)} AS person"
                    f" ON person.{quote(person.pk.column)} = listed.referred_by_id ORDER BY {order}"
                )
            )
        return parts


# Kept figures are read and written as core.page_cache keeps pages: a cache that cannot be reached reads as nothing
# kept, and nothing is written to it.
_KEPT_REPORTS = PageCache("organization report", "report:organization:{}")


class KeptFigures:
    """An organization report's statement rows, kept in the shared cache and reused while they still hold.

    The rows are the figures of every section. They hold while (1) the referrals they are made of are the same
    ones, unchanged: every view reads, per direction, how many referrals the period has and the sums of their ids
    and of their versions (every change raises a referral's version: referrals.services), from the covering
    indexes the statement reads them by, as cheaply as the report's floor reads them; (2) no moment has come at
    which a figure that depends on the time changes (``NEXT_CHANGES``); (3) they were counted at most
    ``ORGANIZATION_REPORT_KEPT_SECONDS`` ago, which bounds what they are made of besides the referrals: a program's
    expected response time, and the names of programs, people, teams and organizations. Rows are kept by
    organization, period, row limit, time zone and the statement's text. The fingerprint is read before the
    statement runs, so rows counted from a later change than it saw are only counted again at the next view.
    When the cache cannot be reached the figures are counted as usual.
    """

    def __init__(self, figures: OrganizationFigures):
        self.figures = figures

    @staticmethod
    def seconds() -> int:
        return settings.ORGANIZATION_REPORT_KEPT_SECONDS

    def rows(self, *, renew_within: float = 0) -> tuple[list[dict], datetime]:
        """The statement's rows and the moment they were counted at (now, unless kept). ``renew_within``
        (seconds): kept rows that would be dropped that soon are counted again (reports.ahead counts ahead)."""
        figures = self.figures
        if not self.seconds():
            return figures._run(), figures.now
        fingerprint = self.fingerprint()
        key = self.key()
        kept = _KEPT_REPORTS.get(key)  # None too when the cache cannot be reached
        if (
            kept is not None
            and self._holds(kept, fingerprint)
            and (not renew_within or (figures.now - kept["counted_at"]).total_seconds() + renew_within < self.seconds())
        ):
            return kept["rows"], kept["counted_at"]
        rows = figures._run()
        changes = [
            _moment(row[name])
            for row in rows
            if row["part"] == "total"
            for name in NEXT_CHANGES
            if row[name] is not None
        ]
        kept = {
            "fingerprint": fingerprint,
            "counted_at": figures.now,
            "changes_at": min(changes, default=None),
            "rows": rows,
        }
        _KEPT_REPORTS.put(key, kept, timeout=self.seconds())
        return rows, figures.now

    def _holds(self, kept: dict, fingerprint: list) -> bool:
        now = self.figures.now
        return (
            kept["fingerprint"] == fingerprint
            and kept["counted_at"] <= now
            and (kept["changes_at"] is None or now < kept["changes_at"])
        )

    def key(self) -> str:
        figures = self.figures
        written = _statement_digest(connections[Referral.objects.db], figures.row_limit)
        return _KEPT_REPORTS.key(
            [
                str(figures.organization.pk),
                figures.period.since.isoformat(),
                figures.period.until.isoformat(),
                str(figures.row_limit),
                timezone.get_current_timezone_name(),
                written,
            ]
        )

    def fingerprint(self) -> list:
        """Per direction: the number of the period's referrals, the sum of their ids and of their versions."""
        connection = connections[Referral.objects.db]
        sql, params = _written_statement(connection, None, "fingerprint")
        with connection.cursor() as cursor:
            cursor.execute(sql, _bound(connection, params, self.figures))
            return sorted(cursor.fetchall())

    def statement(self) -> tuple[str, list]:
        """The statement of the fingerprint as the ORM writes it (SQL and parameters), before any binding."""
        figures = self.figures
        counted = [
            organization_referrals(organization=figures.organization, direction=direction, period=figures.period)
            .order_by()
            .annotate(direction=Value(direction, output_field=CharField()))
            .values("direction")
            .annotate(referrals=Count("pk"), ids=Sum("pk"), versions=Sum("version"))
            .values_list("direction", "referrals", "ids", "versions")
            for direction in Direction.BOTH
        ]
        return counted[0].union(counted[1], all=True).query.sql_with_params()


def _statement(ctes: dict, parts: list[str]) -> list[dict]:
    """``parts`` (SELECTs from the CTEs) as one UNION ALL, each CTE (name -> queryset) computed once.

    Django writes each CTE in the database's own SQL; the parts only group, count and order their columns.
    """
    sql, params = _statement_sql(ctes, parts)
    return _fetch(connections[next(iter(ctes.values())).db], sql, params)


def _statement_sql(ctes: dict, parts: list[str]) -> tuple[str, list]:
    sql, params = [], []
    for name, queryset in ctes.items():
        queryset._check_scope()  # the raw statement bypasses the tenant guard of _fetch_all
        cte_sql, cte_params = queryset.query.sql_with_params()
        sql.append(f"{name} AS ({cte_sql})")
        params.extend(cte_params)
    return f"WITH {', '.join(sql)} {' UNION ALL '.join(parts)}", params


def _fetch(connection, sql: str, params: list) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]


@dataclass(frozen=True)
class _Moments:
    """The moments of a period that the statement reads (``Period.since``, ``Period.until``, ``week_starts``)."""

    since: datetime
    until: datetime
    week_starts: list


class _Placeholders:
    """Values no report has, with which the organization report's statement is written once per process.

    Writing it (the ORM resolving and compiling ~40 expressions for each direction, then the parts) took ~6 ms
    of each request, for a text that only changes with the row limit and the time zone. Each report binds its
    own organization, "now" and period where these appear among the parameters (``_written_statement``).
    """

    ORGANIZATION = -7_301_000_001  # primary keys are positive
    NOW = datetime(1901, 1, 1, 1, 1, 1, 111, tzinfo=UTC)
    SINCE = datetime(1901, 2, 2, 2, 2, 2, 222, tzinfo=UTC)
    UNTIL = datetime(1901, 3, 3, 3, 3, 3, 333, tzinfo=UTC)
    WEEK = datetime(1901, 4, 4, 4, 4, 4, 444, tzinfo=UTC)


# (statement, connection, row limit, time zone) -> (SQL, [(placeholder's name or None, the parameter)]).
_WRITTEN: dict[tuple, tuple[str, list]] = {}


def _written_statement(connection, row_limit: int | None, statement: str = "figures") -> tuple[str, list]:
    """The organization report's statement for ``row_limit`` in the current time zone (its week boundaries are
    the zone's), written once per process, with ``_Placeholders`` among its parameters. ``statement``: "figures"
    (``OrganizationFigures.statement``) or "fingerprint" (``KeptFigures.statement``, which reads no "now")."""
    key = (statement, connection.alias, connection.vendor, row_limit, timezone.get_current_timezone_name())
    if key not in _WRITTEN:
        from accounts.models import Organization

        placeholders = OrganizationFigures(
            organization=Organization(pk=_Placeholders.ORGANIZATION),
            period=_Moments(since=_Placeholders.SINCE, until=_Placeholders.UNTIL, week_starts=[_Placeholders.WEEK]),
            now=_Placeholders.NOW,
            row_limit=row_limit,
        )
        adapt = connection.ops.adapt_datetimefield_value
        slots = {
            "organization": _Placeholders.ORGANIZATION,
            "since": adapt(_Placeholders.SINCE),
            "until": adapt(_Placeholders.UNTIL),
        }
        if statement == "figures":
            sql, params = placeholders.statement()
            slots["now"] = adapt(_Placeholders.NOW)
            if connection.vendor == "postgresql":
                slots["weeks"] = [adapt(_Placeholders.WEEK)]
        else:
            sql, params = KeptFigures(placeholders).statement()
        bound = [(_slot(param, slots), param) for param in params]
        missing = set(slots) - {slot for slot, _ in bound}
        if missing:  # a placeholder the ORM wrote in the SQL text, or transformed: binding would be wrong
            raise RuntimeError(f"The report's statement does not take {sorted(missing)} as parameters.")
        _WRITTEN[key] = (sql, bound)
    return _WRITTEN[key]


@functools.cache
def _digest(sql: str) -> str:
    return hashlib.sha256(sql.encode()).hexdigest()[:16]


def _statement_digest(connection, row_limit: int | None) -> str:
    """A digest of the figures' statement, in the kept figures' key: rows counted by another version of the code
    are not reused."""
    return _digest(_written_statement(connection, row_limit)[0])


def _bound(connection, params: list, figures: OrganizationFigures) -> list:
    """The parameters of a statement of ``_written_statement`` with ``figures``' own values in their places."""
    adapt = connection.ops.adapt_datetimefield_value
    values = {
        "organization": figures.organization.pk,
        "now": adapt(figures.now),
        "since": adapt(figures.period.since),
        "until": adapt(figures.period.until),
    }
    if any(slot == "weeks" for slot, _ in params):
        values["weeks"] = [adapt(moment) for moment in figures.period.week_starts]
    return [values[slot] if slot else param for slot, param in params]


def _slot(param, slots: dict) -> str | None:
    """The name of the placeholder ``param`` is (as the connection adapted it), or None."""
    for name, adapted in slots.items():
        if type(param) is type(adapted) and param == adapted:
            return name
    return None


def _select(columns: dict[str, str], **values) -> str:
    """A SELECT of every column (name -> SQL type) of a statement, from ``values`` (name -> SQL expression).

    A column not in ``values`` is a NULL of its type, so that PostgreSQL types every part of a UNION alike
    (SQLite ignores the types); the position of a row in its part is 0 unless given.
    """
    values = {"position": "0", **values}
    return "SELECT " + ", ".join(
        f"{values.get(column, f'CAST(NULL AS {kind})')} AS {column}" for column, kind in columns.items()
    )


def _ordered(select: str) -> str:
    """A part that orders and limits its rows, as a subquery (where UNION ALL allows ORDER BY and LIMIT)."""
    return f"SELECT * FROM ({select}) AS ordered"


def _shorten(table: Table, row_limit: int | None) -> None:
    """Keep the first ``row_limit`` rows of ``table`` (its part fetched one more, to know), and say so."""
    if row_limit is not None and len(table.rows) > row_limit:
        del table.rows[row_limit:]
        table.note = f"The first {row_limit} rows: the CSV download has them all."


def _counts(figures: OrganizationFigures, part: str, key: str) -> tuple[dict, dict]:
    """Referrals by group of ``part`` ("weekly", "bucket", "answers"), sent and received."""
    return tuple({row[key]: row["referrals"] for row in figures.part(direction, part)} for direction in Direction.BOTH)


def _outcome_counts(figures: OrganizationFigures) -> tuple[dict, dict]:
    """Referrals by outcome kind (its position in outcome_kinds()), sent and received, from their statuses and
    reasons."""
    counts = ({}, {})
    for direction, by_kind in zip(Direction.BOTH, counts, strict=True):
        for row in figures.part(direction, "outcome"):
            kind = outcome_of(row["status"], row["status_reason"])
            if kind is not None:
                by_kind[kind] = by_kind.get(kind, 0) + row["referrals"]
    return counts


def summary_table(figures: OrganizationFigures) -> Table:
    table = Table(
        "summary",
        "Summary",
        ["Direction", *FIGURE_COLUMNS],
        description="Referrals this organization sent as a site and received as a provider.",
    )
    table.rows = [
        [Direction.LABELS[direction], *_figure_cells(figures.part(direction, "total")[0])]
        for direction in Direction.BOTH
    ]
    return table


def breakdown_table(figures: OrganizationFigures, slug: str) -> Table:
    breakdown = BREAKDOWNS[slug]
    table = Table(slug, breakdown.title, [breakdown.label, *FIGURE_COLUMNS])
    table.rows = [[breakdown.name(row), *_figure_cells(row)] for row in figures.part(breakdown.direction, slug)]
    _shorten(table, figures.row_limit)
    return table


def weekly_table(figures: OrganizationFigures) -> Table:
    mondays = figures.period.weeks()
    sent, received = (
        {mondays[week - 1] if type(week) is int else _week(week): count for week, count in counts.items()}
        for counts in _counts(figures, "weekly", "week")
    )
    table = Table(
        "weekly",
        "Referrals per week",
        ["Week starting", "Sent", "Received"],
        description="Weeks start on Monday; the first and last week may be partly outside the dates.",
    )
    table.rows = [[week, sent.get(week, 0), received.get(week, 0)] for week in figures.period.weeks()]
    return table


def _kinds_table(counts: tuple[dict, dict], kinds: list[tuple[str, Q]], table: Table) -> Table:
    """``table`` with a row per kind (label, condition): referrals sent and received of that kind (``counts``: by
    the kind's position, sent and received)."""
    sent, received = counts
    table.rows = [[label, sent.get(index, 0), received.get(index, 0)] for index, (label, _) in enumerate(kinds)]
    return table


def response_times_table(figures: OrganizationFigures) -> Table:
    return _kinds_table(
        _counts(figures, "bucket", "item"),
        _bucket_conditions(),
        Table(
            "response-times",
            "Time to first response",
            ["Answered in", "Sent", "Received"],
            description="How long programs took to make their first status change.",
        ),
    )


def outcomes_table(figures: OrganizationFigures) -> Table:
    return _kinds_table(
        _outcome_counts(figures),
        outcome_kinds(),
        Table(
            "outcomes",
            "Outcomes",
            ["Outcome", "Sent", "Received"],
            description="Where the referrals of the period stand now, with the reason given for each closing.",
        ),
    )


def _answer_rows(counts: dict) -> list[tuple[str, int]]:
    """(label, referrals) for each channel of the seeker's answer, then the referrals without one."""
    return [
        *((AnswerChannel.LABELS[channel], counts.get(channel, 0)) for channel in AnswerChannel.ORDER),
        (AnswerChannel.NONE_LABEL, counts.get("", 0)),
    ]


ANSWERS_DESCRIPTION = (
    "How the seeker's answer (got help, couldn't get help, no longer interested) reached the referral: by the "
    "link in an email, by replying to a text, on their own page after signing in, or recorded for them by "
    "staff on their side. A referral counts once, by its latest answer."
)


def answers_by_channel_table(figures: OrganizationFigures) -> Table:
    sent, received = _counts(figures, "answers", "name")
    table = Table(
        "answers-by-channel",
        "The seeker's answers, by channel",
        ["Answered by", "Sent", "Received"],
        description=ANSWERS_DESCRIPTION,
    )
    table.rows = [
        [label, count, received_count]
        for (label, count), (_, received_count) in zip(_answer_rows(sent), _answer_rows(received), strict=True)
    ]
    return table


def _referral_link(public_id) -> Link:
    # PostgreSQL returns a UUID, SQLite the hex Django stores.
    return Link("Open", f"/referrals/{public_id if type(public_id) is uuid.UUID else uuid.UUID(str(public_id))}/")


def _list_note(figures: OrganizationFigures, limit: int) -> str:
    shown = figures.list_limit(limit)
    more = "" if shown == limit else f" here (the CSV download lists up to {limit})"
    return f"At most {shown} per direction are listed{more}; the summary gives the full count."


def follow_up_table(figures: OrganizationFigures) -> Table:
    table = Table(
        "follow-up",
        "Need follow-up",
        ["Direction", "Sent on", "Program", "Referred by", "Hours waiting", "Expected within (hours)", "Referral"],
        description="Open referrals the program has not answered within its expected response time, oldest first.",
    )
    zone = timezone.get_current_timezone()  # (timezone.localtime looks it up again for each row)
    for direction in Direction.BOTH:
        for row in figures.part(direction, "follow-up"):
            sent_at = _moment(row["sent_at"])
            table.rows.append(
                [
                    Direction.LABELS[direction],
                    sent_at.astimezone(zone).date(),
                    row["program_name"],
                    f"{row['first_name']} {row['last_name']}".strip(),
                    _hours(figures.now - sent_at),
                    row["expected_hours"],
                    _referral_link(row["public_id"]),
                ]
            )
    table.note = _list_note(figures, FOLLOW_UP_LIST_LIMIT)
    return table


def stalled_table(figures: OrganizationFigures) -> Table:
    table = Table(
        "stalled",
        "Stalled",
        ["Direction", "Stalled", "Median days stalled"],
        description="Open referrals of the period the program answered and then left in their status "
        "past its stall period (waitlisted 14 days, needs client action 3, accepted 14, in "
        "service 60, unless the program set its own), and for how long.",
    )
    for direction in Direction.BOTH:
        row = figures.part(direction, "total")[0]
        days = row["median_stalled"]
        table.rows.append(
            [Direction.LABELS[direction], row["stalled"], None if days is None else round(days / timedelta(days=1), 1)]
        )
    return table


def disagreements_table(figures: OrganizationFigures) -> Table:
    table = Table(
        "disagreements",
        "Where the seeker and the program disagree",
        ["Direction", "Sent on", "Program", "Seeker says", "Program says", "Referral"],
        description="Each side's own last word on the outcome, where both gave one and they differ.",
    )
    for direction in Direction.BOTH:
        for row in figures.part(direction, "disagreements"):
            table.rows.append(
                [
                    Direction.LABELS[direction],
                    timezone.localtime(_moment(row["sent_at"])).date(),
                    row["program_name"],
                    Status(row["seeker_outcome"]).label,
                    Status(row["program_outcome"]).label,
                    _referral_link(row["public_id"]),
                ]
            )
    table.note = _list_note(figures, DISAGREEMENT_LIST_LIMIT)
    return table


# slug -> function(OrganizationFigures) -> Table, in page order.
ORGANIZATION_SECTIONS = {
    "summary": summary_table,
    "weekly": weekly_table,
    "response-times": response_times_table,
    "outcomes": outcomes_table,
    "answers-by-channel": answers_by_channel_table,
    **{slug: partial(breakdown_table, slug=slug) for slug in BREAKDOWNS},
    "follow-up": follow_up_table,
    "stalled": stalled_table,
    "disagreements": disagreements_table,
}


def organization_report(
    *, organization, period: Period, now: datetime | None = None, sections=None, row_limit: int | None = None
) -> list[Table]:
    figures = OrganizationFigures(
        organization=organization, period=period, now=now or timezone.now(), row_limit=row_limit
    )
    return [ORGANIZATION_SECTIONS[slug](figures) for slug in (sections or ORGANIZATION_SECTIONS)]


# --------------------------------------------------------------------------------------------- network


def network_referrals(*, period: Period):
    """Every referral of the period, across tenants: only for network admins (see reports.views)."""
    return (
        Referral.objects.unscoped("network scorecard for network admins")
        .filter(sent_at__gte=period.since, sent_at__lt=period.until)
        .exclude(status=Status.ENTERED_IN_ERROR)
    )


UNCATEGORIZED = "Uncategorized"
NO_ZIP = "No zip code"
_NO_CAPACITY = Q(status=Status.DECLINED, status_reason=Reason.NO_CAPACITY)
_NOT_ELIGIBLE = Q(status=Status.DECLINED, status_reason=Reason.NOT_ELIGIBLE)


def _unmet_figures():
    return {
        "referrals": Count("id"),
        "got_help": Count("id", filter=Q(status=Status.GOT_HELP)),
        "no_capacity": Count("id", filter=_NO_CAPACITY),
        "not_eligible": Count("id", filter=_NOT_ELIGIBLE),
    }


class NetworkFigures:
    """The scorecard's figures for one period, from the kept counts (referrals.kept), in one SQL statement.

    Counting every referral of the period took ~540 ms at a million referrals (90 days: a quarter of them,
    each joined to its seeker, categories and latest answer). The referral services keep counts by block of
    days instead, by program and by category and zip code (``ScorecardProgramCount``, ``ScorecardZipCount``),
    so the period is a dozen blocks (``kept.blocks``) and the statement sums their rows: ``zips`` (category and
    zip code: three tables add up or filter them), ``programs`` (the programs that answered none) and
    ``answers`` (by channel). The one figure that moves with the clock, "unanswered past the expected time"
    of the programs that never answer, is counted live over those programs' referrals of the period
    (``_count_overdue``: the page's first rows, a few hundred referrals). ``row_limit`` bounds each table
    (the page shows its first rows; the CSV download has them all). ``CountedNetworkFigures`` counts the
    referrals themselves, as before: the reference the kept counts are checked against.
    """

    def __init__(self, *, period: Period, now: datetime, row_limit: int | None = None):
        self.period, self.now, self.row_limit = period, now, row_limit
        self._parts = None

    def parts(self) -> dict[str, list[dict]]:
        """Every table's rows, in their order, by table: one statement, run once."""
        if self._parts is None:
            self._parts = {}
            for row in sorted(self._rows(), key=lambda row: row["position"]):
                self._parts.setdefault(row["part"], []).append(row)
            self._count_overdue(self._parts.get("never-answer", []))
        return self._parts

    def part(self, part: str) -> list[dict]:
        """The rows of the table ``part``, in its order."""
        return self.parts().get(part, [])

    def _rows(self) -> list[dict]:
        chosen = kept_counts.blocks(self.period.start, self.period.end)
        params = [value for level, first_day in chosen for value in (level, first_day)]
        zips, programs = ScorecardZipCount._meta.db_table, ScorecardProgramCount._meta.db_table
        category, program = Category._meta.db_table, Program._meta.db_table
        through = Program.categories.through._meta.db_table
        organization = Program._meta.get_field("organization").related_model._meta.db_table
        channels = list(kept_counts.CHANNEL_COUNTERS.items())
        unanswered = f"totals.referrals - {' - '.join(f'totals.{counter}' for _, counter in channels)}"
        # Written for PostgreSQL and SQLite alike (the development default).
        ctes = {
            "chosen (level, first_day)": f"VALUES {', '.join(['(%s, %s)'] * len(chosen))}",
            "zips": (
                "SELECT category.name AS category, kept.zip_code, CAST(SUM(kept.referrals) AS BIGINT) AS referrals,"
                " CAST(SUM(kept.got_help) AS BIGINT) AS got_help, CAST(SUM(kept.no_capacity) AS BIGINT) AS no_capacity,"
                " CAST(SUM(kept.not_eligible) AS BIGINT) AS not_eligible"
                f" FROM {zips} kept JOIN chosen ON chosen.level = kept.level AND chosen.first_day = kept.first_day"
                f" LEFT JOIN {category} category ON category.id = kept.category_id"
                " GROUP BY category.name, kept.zip_code HAVING SUM(kept.referrals) > 0"
            ),
            "by_program": (
                "SELECT kept.program_id, "
                + ", ".join(f"CAST(SUM(kept.{name}) AS BIGINT) AS {name}" for name in kept_counts.PROGRAM_COUNTERS)
                + f" FROM {programs} kept JOIN chosen ON chosen.level = kept.level"
                " AND chosen.first_day = kept.first_day GROUP BY kept.program_id HAVING SUM(kept.referrals) > 0"
            ),
            # By category from the programs' counts (5,000 rows at a million referrals, not 25,000 zip codes).
            "categories": (
                "SELECT category.name AS category, "
                + ", ".join(
                    f"CAST(SUM(by_program.{name}) AS BIGINT) AS {name}"
                    for name in ["referrals", "got_help", "no_capacity", "not_eligible"]
                )
                + f" FROM by_program LEFT JOIN {through} program_category"
                " ON program_category.program_id = by_program.program_id"
                f" LEFT JOIN {category} category ON category.id = program_category.category_id GROUP BY category.name"
            ),
            "programs": (
                "SELECT by_program.program_id, program.name AS program_name, organization.name AS organization_name,"
                " by_program.referrals AS received, CAST(NULL AS BIGINT) AS overdue,"
                " CAST(NULL AS TIMESTAMPTZ) AS first_sent"
                f" FROM by_program JOIN {program} program ON program.id = by_program.program_id"
                f" JOIN {organization} organization ON organization.id = program.organization_id"
                " WHERE by_program.answered = 0"
            ),
            "totals": "SELECT "
            + ", ".join(f"CAST(SUM(by_program.{name}) AS BIGINT) AS {name}" for name in kept_counts.PROGRAM_COUNTERS)
            + " FROM by_program",
            "answers": "SELECT * FROM ("
            + " UNION ALL ".join(
                f"SELECT '{channel}' AS channel, {count} AS referrals FROM totals"
                for channel, count in [
                    *((channel, f"totals.{counter}") for channel, counter in channels),
                    ("", unanswered),
                ]
            )
            + ") AS answer WHERE answer.referrals > 0",
        }
        sql = ", ".join(f"{name} AS ({cte})" for name, cte in ctes.items())
        with connections[ScorecardZipCount.objects.db].cursor() as cursor:
            cursor.execute(f"WITH {sql} {' UNION ALL '.join(self._parts_sql())}", params)
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]

    def _count_overdue(self, rows: list[dict]) -> None:
        """Fills in "unanswered past the expected time" and the first referral's time of the programs that never
        answer, counted live: they move with the clock and the program's expected response time."""
        if not rows:
            return
        judged = _conditions(self.now)["judged"]
        counted = {
            row["program_id"]: row
            for row in network_referrals(period=self.period)
            .filter(program_id__in=[row["program_id"] for row in rows])
            .values("program_id")
            .annotate(overdue=Count("id", filter=judged), first_sent=Min("sent_at"))
            .order_by()
        }
        for row in rows:  # (a program missing here would be drift the nightly check repairs: shown as none)
            found = counted.get(row["program_id"], {})
            row["overdue"], row["first_sent"] = found.get("overdue", 0), found.get("first_sent")

    def _parts_sql(self) -> list[str]:
        columns = {  # of the statement, with their types (see _select)
            "part": "TEXT",
            "position": "BIGINT",
            "category": "TEXT",
            "zip_code": "TEXT",
            "referrals": "BIGINT",
            "got_help": "BIGINT",
            "no_capacity": "BIGINT",
            "not_eligible": "BIGINT",
            "program_id": "BIGINT",
            "program_name": "TEXT",
            "organization_name": "TEXT",
            "overdue": "BIGINT",
            "first_sent": "TIMESTAMPTZ",
            "channel": "TEXT",
        }
        # Columns are named with their table ("zips.category"): ORDER BY takes a bare name for an output column.
        unmet = "zips.no_capacity + zips.not_eligible"
        parts = {  # slug -> (columns, FROM and the rest, order)
            "by-category": (
                {
                    "category": "categories.category",
                    **{name: f"categories.{name}" for name in ["referrals", "got_help", "no_capacity", "not_eligible"]},
                },
                "FROM categories",
                "categories.referrals DESC, categories.category ASC NULLS LAST",
            ),
            "unmet-needs": (
                {
                    "category": "zips.category",
                    "zip_code": "zips.zip_code",
                    "referrals": unmet,
                    "no_capacity": "zips.no_capacity",
                    "not_eligible": "zips.not_eligible",
                },
                f"FROM zips WHERE {unmet} > 0",
                f"{unmet} DESC, zips.category, zips.zip_code",
            ),
            "never-answer": (
                {
                    "program_id": "programs.program_id",
                    "program_name": "programs.program_name",
                    "organization_name": "programs.organization_name",
                    "referrals": "programs.received",
                    "overdue": "programs.overdue",
                    "first_sent": "programs.first_sent",
                },
                "FROM programs",
                "programs.received DESC, programs.program_name, programs.program_id",
            ),
            "by-category-zip": (
                {
                    "category": "zips.category",
                    "zip_code": "zips.zip_code",
                    "referrals": "zips.referrals",
                    "got_help": "zips.got_help",
                },
                "FROM zips",
                "zips.category ASC NULLS LAST, zips.zip_code",
            ),
            "answers-by-channel": (
                {"channel": "answers.channel", "referrals": "answers.referrals"},
                "FROM answers",
                "answers.channel",
            ),
        }
        one_more = "" if self.row_limit is None else f" LIMIT {int(self.row_limit) + 1}"  # to say "the first rows"
        selects = []
        for slug, (values, rest, order) in parts.items():
            # Ordered and cut first, numbered after: PostgreSQL then keeps only the first rows while sorting
            # (a top-N sort), where numbering first sorted every one of 25,000 zip code rows.
            select = _select(columns, part=f"'{slug}'", **values)
            selects.append(
                f"SELECT {', '.join(column for column in columns if column != 'position')},"
                f" ROW_NUMBER() OVER () AS position FROM ({select} {rest} ORDER BY {order}{one_more}) AS ordered"
            )
        return selects


class CountedNetworkFigures(NetworkFigures):
    """The scorecard's figures counted from the referrals themselves, in one statement (~540 ms for 90 days at
    a million referrals): the reference the kept counts are checked against (tests/reports), not a page's.

    The referrals are counted once by category and zip code (``zips``) and once by program (``programs``,
    the programs that answered none), in one statement as the organization report does (``_statement``).
    """

    def parts(self) -> dict[str, list[dict]]:
        if self._parts is None:
            self._parts = {}
            for row in sorted(_statement(self.ctes(), self._parts_sql()), key=lambda row: row["position"]):
                self._parts.setdefault(row["part"], []).append(row)
        return self._parts

    def ctes(self) -> dict:
        referrals = network_referrals(period=self.period)
        conditions = _conditions(self.now)
        return {
            "zips": referrals.values(category=F("program__categories__name"), zip_code=F("seeker__zip_code"))
            .annotate(**_unmet_figures())
            .order_by(),
            "categories": referrals.values(category=F("program__categories__name"))
            .annotate(**_unmet_figures())
            .order_by(),
            "programs": referrals.values(
                "program_id", program_name=F("program__name"), organization_name=F("program__organization__name")
            )
            .annotate(
                received=Count("id"),
                answered=Count("id", filter=conditions["answered"]),
                overdue=Count("id", filter=conditions["judged"]),
                first_sent=Min("sent_at"),
            )
            .filter(answered=0)
            .order_by(),
            "answers": referrals.values(channel=answer_channel()).annotate(referrals=Count("id")).order_by(),
        }


SCORECARD_KEY = "reports:network:v2:{start}:{end}:{row_limit}"


def scorecard_kept_seconds() -> int:
    """How long the scorecard page's figures are kept (NETWORK_SCORECARD_SECONDS; 0: counted on every view)."""
    return settings.NETWORK_SCORECARD_SECONDS


def network_figures_kept(*, period: Period, row_limit: int, refresh: bool = False) -> NetworkFigures:
    """The scorecard page's figures, kept in the shared cache for ``NETWORK_SCORECARD_SECONDS`` (0: computed
    on every view).

    They count every referral of the period across the network: about half a second at a million referrals
    (a quarter of them in the default 90 days), which no page should cost on each view. A scorecard a few
    minutes old serves a network admin as well (the page says as of when), and the beat computes the
    default period's figures ahead of time (``reports.tasks.keep_network_scorecard``), so the page reads
    them from the cache. ``refresh`` computes them again whatever is kept. Without a cache (Redis down) they
    are computed, as they always were.
    """
    seconds = scorecard_kept_seconds()
    key = SCORECARD_KEY.format(start=period.start, end=period.end, row_limit=row_limit)
    if seconds and not refresh:
        try:
            kept = cache.get(key)
        except Exception:
            logger.warning("network scorecard: cache unavailable, computing: %s", sys.exc_info()[1])
            kept = None
        if kept is not None:
            figures = NetworkFigures(period=period, now=kept["now"], row_limit=row_limit)
            figures._parts = kept["parts"]
            return figures
    figures = NetworkFigures(period=period, now=timezone.now(), row_limit=row_limit)
    parts = figures.parts()
    if seconds:
        try:
            cache.set(key, {"now": figures.now, "parts": parts}, timeout=seconds)
        except Exception:
            logger.warning("network scorecard: could not keep the figures: %s", sys.exc_info()[1])
    return figures


def network_by_category_table(figures: NetworkFigures) -> Table:
    table = Table(
        "by-category",
        "Referrals by category",
        ["Category", "Referrals", "Got help", "Declined: no capacity", "Declined: not eligible"],
        description="A referral counts once in each category of its program.",
    )
    table.rows = [
        [row["category"] or UNCATEGORIZED, row["referrals"], row["got_help"], row["no_capacity"], row["not_eligible"]]
        for row in figures.part("by-category")
    ]
    _shorten(table, figures.row_limit)
    return table


def network_by_category_zip_table(figures: NetworkFigures) -> Table:
    table = Table(
        "by-category-zip",
        "Referrals by category and zip code",
        ["Category", "Zip code", "Referrals", "Got help"],
        description="By the seeker's zip code.",
    )
    table.rows = [
        [row["category"] or UNCATEGORIZED, row["zip_code"] or NO_ZIP, row["referrals"], row["got_help"]]
        for row in figures.part("by-category-zip")
    ]
    _shorten(table, figures.row_limit)
    return table


def network_unmet_needs_table(figures: NetworkFigures) -> Table:
    table = Table(
        "unmet-needs",
        "Unmet needs",
        ["Category", "Zip code", "Declined: no capacity", "Declined: not eligible", "Total"],
        description="Referrals declined for lack of capacity or eligibility, by category and the seeker's zip code.",
    )
    table.rows = [
        [
            row["category"] or UNCATEGORIZED,
            row["zip_code"] or NO_ZIP,
            row["no_capacity"],
            row["not_eligible"],
            row["referrals"],
        ]
        for row in figures.part("unmet-needs")
    ]
    _shorten(table, figures.row_limit)
    return table


def network_never_answer_table(figures: NetworkFigures) -> Table:
    table = Table(
        "never-answer",
        "Programs that never answer",
        ["Program", "Organization", "Referrals received", "Unanswered past expected time", "First received on"],
        description="Programs that received referrals in the period and answered none of them.",
    )
    table.rows = [
        [
            row["program_name"],
            row["organization_name"],
            row["referrals"],
            row["overdue"],
            timezone.localtime(_moment(row["first_sent"])).date() if row["first_sent"] else None,
        ]
        for row in figures.part("never-answer")
    ]
    _shorten(table, figures.row_limit)
    return table


def network_answers_by_channel_table(figures: NetworkFigures) -> Table:
    counts = {row["channel"]: row["referrals"] for row in figures.part("answers-by-channel")}
    answered = sum(count for channel, count in counts.items() if channel)
    table = Table(
        "answers-by-channel",
        "The seeker's answers, by channel",
        ["Answered by", "Referrals", "Share of the answers (%)"],
        description=ANSWERS_DESCRIPTION,
    )
    table.rows = [
        [label, count, None if label == AnswerChannel.NONE_LABEL else _share(count, answered)]
        for label, count in _answer_rows(counts)
    ]
    return table


NETWORK_SECTIONS = {
    "by-category": network_by_category_table,
    "answers-by-channel": network_answers_by_channel_table,
    "unmet-needs": network_unmet_needs_table,
    "never-answer": network_never_answer_table,
    "by-category-zip": network_by_category_zip_table,
}


def network_report(
    *,
    period: Period | None = None,
    now: datetime | None = None,
    sections=None,
    row_limit: int | None = None,
    figures: NetworkFigures | None = None,
) -> list[Table]:
    """The scorecard's tables, from ``figures`` when given (``network_figures_kept``), else computed."""
    figures = figures or NetworkFigures(period=period, now=now or timezone.now(), row_limit=row_limit)
    return [NETWORK_SECTIONS[slug](figures) for slug in (sections or NETWORK_SECTIONS)]
