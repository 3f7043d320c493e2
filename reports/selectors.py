"""The figures of the reports, computed in the database.

Every figure comes from an aggregate query (COUNT ... FILTER, percentile_cont, GROUP BY a computed bucket
or week); Python only formats the handful of rows that come back, so the number of queries does not
depend on the number of referrals. Each section is one function that returns a ``Table``; the page and
its CSV download call the same function, so their figures cannot drift apart.

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

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from functools import partial

from django.db.models import Count, DateTimeField, DurationField, ExpressionWrapper, F, Min, Q, Value
from django.db.models.functions import Coalesce, TruncWeek
from django.db.models.lookups import GreaterThan, GreaterThanOrEqual, LessThan
from django.utils import timezone

from referrals import statuses
from referrals.models import Referral
from referrals.statuses import Reason, Status

from .aggregates import Hours, PercentileCont

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


# --------------------------------------------------------------------------------------------- expressions

HOUR = timedelta(hours=1)


def _response_time():
    """sent_at -> first_response_at, as an interval (NULL while unanswered)."""
    return ExpressionWrapper(F("first_response_at") - F("sent_at"), output_field=DurationField())


def _expected_by():
    """The moment the program's expected response time runs out (timestamp arithmetic: cheap per row)."""
    return ExpressionWrapper(F("sent_at") + Hours(F("program__expected_response_hours")),
                             output_field=DateTimeField())


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
    }


def _figures(now: datetime) -> dict:
    figures = {name: Count("id", filter=condition) for name, condition in _conditions(now).items()}
    figures["referrals"] = Count("id")
    figures["median_response"] = PercentileCont(_response_time(), 0.5, output_field=DurationField())
    figures["p90_response"] = PercentileCont(_response_time(), 0.9, output_field=DurationField())
    return figures


FIGURE_COLUMNS = [
    "Referrals", "Answered", "Median hours to first response", "90th percentile hours",
    "Answered within expected time (%)", "Got help", "Declined", "Not completed", "Withdrawn", "Still open",
    "Seeker and program disagree", "Need follow-up",
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
        row["referrals"], row["answered"], _hours(row["median_response"]), _hours(row["p90_response"]),
        _share(row["within"], row["judged"]), row["got_help"], row["declined"], row["not_completed"],
        row["withdrawn"], row["still_open"], row["disagreements"], row["follow_up"],
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


def outcome_kinds() -> list[tuple[str, Q]]:
    """(label, condition) for every closing the status table allows, then "still open"."""
    kinds = [("Got help", Q(status=Status.GOT_HELP))]
    for status in (Status.DECLINED, Status.NOT_COMPLETED, Status.WITHDRAWN):
        for reason in statuses.RULES[status].reasons:
            kinds.append((f"{Status(status).label}: {Reason(reason).label}", Q(status=status, status_reason=reason)))
    kinds.append(("Still open", Q(status__in=sorted(statuses.OPEN))))
    return kinds


# --------------------------------------------------------------------------------------------- organization

class Direction:
    OUTBOUND = "outbound"
    INBOUND = "inbound"
    BOTH = (OUTBOUND, INBOUND)
    LABELS = {OUTBOUND: "Sent (outbound)", INBOUND: "Received (inbound)"}


def organization_referrals(*, organization, direction: str, period: Period):
    """The organization's referrals of the period: as a site (outbound) or as a provider (inbound).

    ``organization`` must come from the viewer's own admin memberships (see reports.views).
    """
    if direction == Direction.OUTBOUND:
        referrals = Referral.objects.for_organization(organization)
    else:
        # Inbound referrals carry the referring site as their organization; the provider is reached
        # through the program. The organization itself was taken from the viewer's admin memberships.
        referrals = Referral.objects.unscoped("inbound referrals of an organization its admin reports on").filter(
            program__organization=organization)
    return (referrals.filter(sent_at__gte=period.since, sent_at__lt=period.until)
            .exclude(status=Status.ENTERED_IN_ERROR))


class OrganizationFigures:
    """The queries behind one organization's report for one period, each run at most once."""

    def __init__(self, *, organization, period: Period, now: datetime):
        self.organization, self.period, self.now = organization, period, now
        self._totals = {}

    def referrals(self, direction: str):
        return organization_referrals(organization=self.organization, direction=direction, period=self.period)

    def totals(self, direction: str) -> dict:
        """One aggregate per direction: the summary figures, the outcome mix and the response-time buckets."""
        if direction not in self._totals:
            aggregates = _figures(self.now)
            for index, (_, condition) in enumerate(outcome_kinds()):
                aggregates[f"outcome_{index}"] = Count("id", filter=condition)
            for index, (_, condition) in enumerate(_bucket_conditions()):
                aggregates[f"bucket_{index}"] = Count("id", filter=condition)
            self._totals[direction] = self.referrals(direction).aggregate(**aggregates)
        return self._totals[direction]


@dataclass(frozen=True)
class Breakdown:
    slug: str
    direction: str
    title: str
    label: str
    group_by: tuple
    empty_label: str = ""

    def name(self, row: dict) -> str:
        values = [row[key] for key in self.group_by[1:]]
        if all(value in (None, "") for value in values):
            return self.empty_label
        return " ".join(str(value) for value in values if value)


BREAKDOWNS = {
    breakdown.slug: breakdown for breakdown in [
        Breakdown("outbound-by-program", Direction.OUTBOUND, "Sent, by the program referred to", "Program",
                  ("program_id", "program__name")),
        Breakdown("outbound-by-team", Direction.OUTBOUND, "Sent, by team", "Team",
                  ("referred_by_team_id", "referred_by_team__name"), "No team"),
        Breakdown("outbound-by-person", Direction.OUTBOUND, "Sent, by person", "Person",
                  ("referred_by_id", "referred_by__first_name", "referred_by__last_name")),
        Breakdown("inbound-by-program", Direction.INBOUND, "Received, by our program", "Program",
                  ("program_id", "program__name")),
        Breakdown("inbound-by-organization", Direction.INBOUND, "Received, by the referring organization",
                  "Referring organization", ("organization_id", "organization__name")),
    ]
}


def summary_table(figures: OrganizationFigures) -> Table:
    table = Table("summary", "Summary", ["Direction", *FIGURE_COLUMNS],
                  description="Referrals this organization sent as a site and received as a provider.")
    table.rows = [[Direction.LABELS[direction], *_figure_cells(figures.totals(direction))]
                  for direction in Direction.BOTH]
    return table


def breakdown_table(figures: OrganizationFigures, slug: str) -> Table:
    breakdown = BREAKDOWNS[slug]
    rows = (figures.referrals(breakdown.direction).values(*breakdown.group_by).annotate(**_figures(figures.now))
            .order_by(*breakdown.group_by[1:], breakdown.group_by[0]))
    table = Table(slug, breakdown.title, [breakdown.label, *FIGURE_COLUMNS])
    table.rows = [[breakdown.name(row), *_figure_cells(row)] for row in rows]
    return table


def _per_week(referrals) -> dict[date, int]:
    rows = referrals.annotate(week=TruncWeek("sent_at")).values("week").annotate(count=Count("id")).order_by("week")
    return {timezone.localtime(row["week"]).date() if isinstance(row["week"], datetime) else row["week"]: row["count"]
            for row in rows}


def weekly_table(figures: OrganizationFigures) -> Table:
    sent, received = (_per_week(figures.referrals(direction)) for direction in Direction.BOTH)
    table = Table("weekly", "Referrals per week", ["Week starting", "Sent", "Received"],
                  description="Weeks start on Monday; the first and last week may be partly outside the dates.")
    table.rows = [[week, sent.get(week, 0), received.get(week, 0)] for week in figures.period.weeks()]
    return table


def response_times_table(figures: OrganizationFigures) -> Table:
    sent, received = (figures.totals(direction) for direction in Direction.BOTH)
    table = Table("response-times", "Time to first response", ["Answered in", "Sent", "Received"],
                  description="How long programs took to make their first status change.")
    table.rows = [[label, sent[f"bucket_{index}"], received[f"bucket_{index}"]]
                  for index, (label, _) in enumerate(_bucket_conditions())]
    return table


def outcomes_table(figures: OrganizationFigures) -> Table:
    sent, received = (figures.totals(direction) for direction in Direction.BOTH)
    table = Table("outcomes", "Outcomes", ["Outcome", "Sent", "Received"],
                  description="Where the referrals of the period stand now, with the reason given for each closing.")
    table.rows = [[label, sent[f"outcome_{index}"], received[f"outcome_{index}"]]
                  for index, (label, _) in enumerate(outcome_kinds())]
    return table


def _referral_link(public_id) -> Link:
    return Link("Open", f"/referrals/{public_id}/")


def follow_up_table(figures: OrganizationFigures) -> Table:
    condition = _conditions(figures.now)["follow_up"]
    table = Table("follow-up", "Need follow-up",
                  ["Direction", "Sent on", "Program", "Referred by", "Hours waiting", "Expected within (hours)",
                   "Referral"],
                  description="Open referrals the program has not answered within its expected response time, "
                              "oldest first.")
    waited = ExpressionWrapper(Value(figures.now, output_field=DateTimeField()) - F("sent_at"),
                               output_field=DurationField())
    for direction in Direction.BOTH:
        rows = (figures.referrals(direction).filter(condition).annotate(waited=waited)
                .values("public_id", "sent_at", "program__name", "referred_by__first_name",
                        "referred_by__last_name", "waited", "program__expected_response_hours")
                .order_by("sent_at", "id")[:FOLLOW_UP_LIST_LIMIT])
        for row in rows:
            table.rows.append([
                Direction.LABELS[direction], timezone.localtime(row["sent_at"]).date(), row["program__name"],
                f'{row["referred_by__first_name"]} {row["referred_by__last_name"]}'.strip(),
                _hours(row["waited"]), row["program__expected_response_hours"], _referral_link(row["public_id"]),
            ])
    table.note = f"At most {FOLLOW_UP_LIST_LIMIT} per direction are listed; the summary gives the full count."
    return table


def disagreements_table(figures: OrganizationFigures) -> Table:
    condition = _conditions(figures.now)["disagreements"]
    table = Table("disagreements", "Where the seeker and the program disagree",
                  ["Direction", "Sent on", "Program", "Seeker says", "Program says", "Referral"],
                  description="Each side's own last word on the outcome, where both gave one and they differ.")
    for direction in Direction.BOTH:
        rows = (figures.referrals(direction).filter(condition)
                .values("public_id", "sent_at", "program__name", "seeker_outcome", "program_outcome")
                .order_by("sent_at", "id")[:DISAGREEMENT_LIST_LIMIT])
        for row in rows:
            table.rows.append([
                Direction.LABELS[direction], timezone.localtime(row["sent_at"]).date(), row["program__name"],
                Status(row["seeker_outcome"]).label, Status(row["program_outcome"]).label,
                _referral_link(row["public_id"]),
            ])
    table.note = f"At most {DISAGREEMENT_LIST_LIMIT} per direction are listed; the summary gives the full count."
    return table


# slug -> function(OrganizationFigures) -> Table, in page order.
ORGANIZATION_SECTIONS = {
    "summary": summary_table,
    "weekly": weekly_table,
    "response-times": response_times_table,
    "outcomes": outcomes_table,
    **{slug: partial(breakdown_table, slug=slug) for slug in BREAKDOWNS},
    "follow-up": follow_up_table,
    "disagreements": disagreements_table,
}


def organization_report(*, organization, period: Period, now: datetime | None = None,
                        sections=None) -> list[Table]:
    figures = OrganizationFigures(organization=organization, period=period, now=now or timezone.now())
    return [ORGANIZATION_SECTIONS[slug](figures) for slug in (sections or ORGANIZATION_SECTIONS)]


# --------------------------------------------------------------------------------------------- network

def network_referrals(*, period: Period):
    """Every referral of the period, across tenants: only for network admins (see reports.views)."""
    return (Referral.objects.unscoped("network scorecard for network admins")
            .filter(sent_at__gte=period.since, sent_at__lt=period.until)
            .exclude(status=Status.ENTERED_IN_ERROR))


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


def network_by_category_table(*, period: Period, now: datetime) -> Table:
    rows = (network_referrals(period=period).values("program__categories__name")
            .annotate(**_unmet_figures()).order_by("-referrals", F("program__categories__name").asc(nulls_last=True)))
    table = Table("by-category", "Referrals by category",
                  ["Category", "Referrals", "Got help", "Declined: no capacity", "Declined: not eligible"],
                  description="A referral counts once in each category of its program.")
    table.rows = [[row["program__categories__name"] or UNCATEGORIZED, row["referrals"], row["got_help"],
                   row["no_capacity"], row["not_eligible"]] for row in rows]
    return table


def network_by_category_zip_table(*, period: Period, now: datetime) -> Table:
    rows = (network_referrals(period=period).values("program__categories__name", "seeker__zip_code")
            .annotate(**_unmet_figures()).order_by(F("program__categories__name").asc(nulls_last=True), "seeker__zip_code"))
    table = Table("by-category-zip", "Referrals by category and zip code",
                  ["Category", "Zip code", "Referrals", "Got help"],
                  description="By the seeker's zip code.")
    table.rows = [[row["program__categories__name"] or UNCATEGORIZED, row["seeker__zip_code"] or NO_ZIP,
                   row["referrals"], row["got_help"]] for row in rows]
    return table


def network_unmet_needs_table(*, period: Period, now: datetime) -> Table:
    rows = (network_referrals(period=period).filter(_NO_CAPACITY | _NOT_ELIGIBLE)
            .values("program__categories__name", "seeker__zip_code")
            .annotate(**_unmet_figures()).order_by("-referrals", "program__categories__name", "seeker__zip_code"))
    table = Table("unmet-needs", "Unmet needs",
                  ["Category", "Zip code", "Declined: no capacity", "Declined: not eligible", "Total"],
                  description="Referrals declined for lack of capacity or eligibility, by category and the "
                              "seeker's zip code.")
    table.rows = [[row["program__categories__name"] or UNCATEGORIZED, row["seeker__zip_code"] or NO_ZIP,
                   row["no_capacity"], row["not_eligible"], row["referrals"]] for row in rows]
    return table


def network_never_answer_table(*, period: Period, now: datetime) -> Table:
    conditions = _conditions(now)
    rows = (network_referrals(period=period)
            .values("program_id", "program__name", "program__organization__name")
            .annotate(received=Count("id"), answered=Count("id", filter=conditions["answered"]),
                      overdue=Count("id", filter=conditions["judged"]), first_sent=Min("sent_at"))
            .filter(answered=0)
            .order_by("-received", "program__name", "program_id"))
    table = Table("never-answer", "Programs that never answer",
                  ["Program", "Organization", "Referrals received", "Unanswered past expected time",
                   "First received on"],
                  description="Programs that received referrals in the period and answered none of them.")
    table.rows = [[row["program__name"], row["program__organization__name"], row["received"], row["overdue"],
                   timezone.localtime(row["first_sent"]).date()] for row in rows]
    return table


NETWORK_SECTIONS = {
    "by-category": network_by_category_table,
    "unmet-needs": network_unmet_needs_table,
    "never-answer": network_never_answer_table,
    "by-category-zip": network_by_category_zip_table,
}


def network_report(*, period: Period, now: datetime | None = None, sections=None) -> list[Table]:
    now = now or timezone.now()
    return [NETWORK_SECTIONS[slug](period=period, now=now) for slug in (sections or NETWORK_SECTIONS)]
