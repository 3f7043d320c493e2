"""Sent referrals: the referrer's dashboard of the referrals they made or that their team shares with them,
so that none goes silent: what needs them now comes first.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Case, DurationField, F, Func, IntegerField, Q, Value, When
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from core.pagination import COUNT_CAP, OneMorePage
from core.statements import IdsStatement

from . import stalls, statuses
from .models import Referral
from .selectors import referrals_for_page
from .templatetags.referral_display import ago, stalled_for

PAGE_SIZE = 25
# A referral that closed without help this recently may want a new one (the referral page offers it).
RECENTLY_CLOSED = timedelta(days=30)
ORDER = ("-updated_at", "-id")


class Hours(Func):
    """A number of hours as a duration: an interval on PostgreSQL, microseconds (Django's duration) on SQLite."""

    output_field = DurationField()
    template = "(%(expressions)s * 3600000000)"

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="make_interval(hours => %(expressions)s)", **extra)


def unanswered_past_expected_time(now) -> Q:
    """No claimer has answered (sent or merely viewed) and the program's expected response time has passed:
    the silence the escalation sweep chases (referrals.sweeps), shown to the referrer before it expires."""
    Status = statuses.Status
    return Q(
        status__in=[Status.SENT, Status.VIEWED],
        first_response_at__isnull=True,
        sent_at__lt=Value(now) - Hours(F("program__expected_response_hours")),
    )


def needs_attention(now) -> Q:
    """Nobody answered within the program's expected time, the program waits for the seeker, the referral has
    stalled (answered, then no update for the program's stall period: referrals.stalls), or it closed without
    help in the last 30 days (declined, not completed, expired unanswered): the referrer may have to call the
    program or the seeker, or refer again."""
    Status, Reason = statuses.Status, statuses.Reason
    closed_without_help = Q(status__in=[Status.DECLINED, Status.NOT_COMPLETED]) | Q(
        status=Status.WITHDRAWN, status_reason=Reason.EXPIRED_NO_RESPONSE
    )
    return (
        unanswered_past_expected_time(now)
        | Q(status=Status.NEEDS_CLIENT_ACTION)
        | stalls.stalled_q(now)
        | (closed_without_help & Q(closed_at__gte=now - RECENTLY_CLOSED))
    )


def attention_order(now) -> tuple:
    """Unanswered past the expected time first (the longest waiting first), then the latest change first."""
    overdue_first = Case(
        When(unanswered_past_expected_time(now), then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    waiting_since = Case(When(unanswered_past_expected_time(now), then=F("sent_at")), default=Value(None))
    return (overdue_first.asc(), waiting_since.asc(nulls_last=True), *ORDER)


def row_values(referral: Referral, now) -> dict:
    """Everything a row of Sent referrals prints (templates/jinja2/referrals/_sent_row.html), as the hashable values
    core.jinja2.keep keeps its rendering by; what depends on the time (how long ago it was sent and changed, overdue,
    stalled) worked out here. The row is rendered again when any of them changes."""
    seeker, program = referral.seeker, referral.program
    return {
        "public_id": referral.public_id,
        "seeker": seeker.full_name,
        "urgency": referral.urgency,
        "call": seeker.contact_preference == "phone",
        "phone": seeker.phone,
        "program": program.name,
        "organization": program.organization.name,
        "sent_at": referral.sent_at,
        "sent_ago": ago(referral.sent_at),
        "status": referral.status,
        "status_reason": referral.status_reason,
        "stalled": stalled_for(referral),
        "stall_due_at": referral.stall_due_at,
        "overdue": is_overdue(referral, now),
        "expected_hours": program.expected_response_hours,
        "updated_at": referral.updated_at,
        "updated_ago": ago(referral.updated_at),
    }


def is_overdue(referral: Referral, now) -> bool:
    """The row's own answer to ``unanswered_past_expected_time`` (its program is already joined)."""
    return (
        referral.status in (statuses.Status.SENT, statuses.Status.VIEWED)
        and referral.first_response_at is None
        and referral.sent_at < now - timedelta(hours=referral.program.expected_response_hours)
    )


class SentFilterForm(forms.Form):
    ATTENTION, OPEN, CLOSED, ALL = "attention", "open", "closed", "all"

    show = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[(ATTENTION, "Needs my attention"), (OPEN, "Open"), (CLOSED, "Closed"), (ALL, "All")],
    )
    urgency = forms.ChoiceField(
        label="Urgency", required=False, choices=[("", "Any urgency"), *statuses.Urgency.choices]
    )

    def chosen(self) -> dict:
        """The valid filters (invalid ones show as field errors and are ignored)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {"show": data.get("show") or self.ATTENTION, "urgency": data.get("urgency") or ""}

    def apply(self, referrals, now):
        chosen = self.chosen()
        show = chosen["show"]
        if show == self.ATTENTION:
            referrals = referrals.filter(needs_attention(now))
        elif show == self.OPEN:
            referrals = referrals.filter(status__in=sorted(statuses.OPEN))
        elif show == self.CLOSED:
            referrals = referrals.filter(status__in=sorted(statuses.CLOSED - {statuses.Status.ENTERED_IN_ERROR}))
        if chosen["urgency"]:
            referrals = referrals.filter(urgency=chosen["urgency"])
        return referrals


# What a row shows and decides with (the template, ``is_overdue``): only these columns are read, where all the
# referral's, seeker's, program's and organization's were (120 a row, the program's description and search
# document among them).
ROW_FIELDS = (
    "public_id",
    "seeker_id",
    "program_id",
    "urgency",
    "status",
    "status_reason",
    "sent_at",
    "first_response_at",
    "updated_at",
    "stall_due_at",
    "seeker__first_name",
    "seeker__last_name",
    "seeker__contact_preference",
    "seeker__phone",
    "program__name",
    "program__expected_response_hours",
    "program__organization__name",
)


def _page_rows(user, ids):
    """The page's rows (``ids``: a list, or a narrow subquery), each probed in the grant tables, joined to their
    seeker and program."""
    return (
        referrals_for_page(user, ids, order=ORDER)
        .select_related("seeker", "program", "program__organization")
        .only(*ROW_FIELDS)
    )


# The attention view's rows by their ids (already read, overdue first): written once per process (core.statements)
# with a place for each of a page's ids and the one more, a shorter page filling the others with 0, which no
# referral has. Building and compiling them, and PostgreSQL's planning, were ~4 ms a view.
_ATTENTION_ROWS = IdsStatement("a page of Sent referrals' rows, by their ids", _page_rows, places=PAGE_SIZE + 1)


def _context(request, form) -> dict:
    user, now = request.user, timezone.now()
    sent = Referral.objects.restrict(user, "refer:by_state")
    page = OneMorePage.asked(request, PAGE_SIZE)
    # What needs the referrer is usually a handful: its ids (up to the count cap), overdue first, then newest
    # change first, give the count on every page and, on the default view, the page itself, in one query.
    attention_ids = list(
        sent.filter(needs_attention(now)).order_by(*attention_order(now)).values_list("pk", flat=True)[: COUNT_CAP + 1]
    )
    attention, attention_more = min(len(attention_ids), COUNT_CAP), len(attention_ids) > COUNT_CAP
    chosen = form.chosen()
    if chosen == {"show": form.ATTENTION, "urgency": ""} and page.window.stop <= COUNT_CAP:
        page_ids = attention_ids[page.window]
        total, total_more = attention, attention_more
    else:
        # The page's ids by a narrow query (one row more tells whether there is a next page); the other
        # views are not counted: their rows are all of a busy team's referrals. With no filter at all, both
        # grant sets gathered serve best (measured: 21 against 45 ms for a helper of 5,000).
        filtered = chosen["show"] != form.ALL or chosen["urgency"]
        listed = form.apply(sent if filtered else Referral.objects.restrict(user, "refer:all"), now)
        page_ids = listed.order_by(*ORDER).values("pk")[page.window]
        total, total_more = None, False
    # Only the page's rows are joined to their seeker and program.
    if isinstance(page_ids, list):  # the attention view: in its own order, overdue first
        fetched = _ATTENTION_ROWS.rows(page_ids, user=user.pk)
        position = {pk: index for index, pk in enumerate(page_ids)}
        fetched.sort(key=lambda referral: position[referral.pk])
    else:
        fetched = list(_page_rows(user, page_ids))
    listed = page.context(request, fetched)
    return {
        "form": form,
        "show": chosen["show"],
        **listed,
        "kept_rows": [row_values(referral, now) for referral in listed["rows"]],
        "total": total,
        "total_more": total_more,
        "attention": attention,
        "attention_more": attention_more,
        "rows_url": reverse("referrals:sent_rows") + ("?" + request.GET.urlencode() if request.GET else ""),
    }


def _render(request, template: str):
    return render(request, template, _context(request, SentFilterForm(request.GET or None)))


@login_required
def sent(request):
    return _render(request, "referrals/sent.html")


@login_required
def sent_rows(request):
    """The list alone, which the page re-fetches when live.js says a referral changed."""
    return _render(request, "referrals/sent_rows.html")
