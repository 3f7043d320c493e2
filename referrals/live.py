"""Live status: which visible referrals changed since a cursor.

Open pages poll ``GET /live/?since=<cursor>`` (static/js/live.js) every second and a half while the tab is
visible. Every change to a referral writes a history event (referrals.services.record_event): a status
change, a note added or deleted, an assignment, a new referral. So one indexed query over the events of the
referrals the user may see answers "what changed", for any number of rows on the page.

The cursor is ``<microseconds since the epoch>.<event id>,<event id>...``: a low-water time ``T`` and the
ids of events after ``T`` already reported. Each answer scans events newer than ``T``, reports those not
yet seen, and moves ``T`` to a few seconds before now (``OVERLAP``) rather than to now, because an event's
time is taken before its transaction commits: an event that becomes visible a moment after the poll that
should have seen it is still newer than the next ``T``. The ids keep those overlap seconds from being
reported twice. A page that opens without a cursor gets the last ``OVERLAP`` seconds, which covers the
time between rendering the page and its first poll.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.numbers import parse_int

from .models import ReferralEvent

OVERLAP = timedelta(seconds=5)
MAX_EVENTS = 500
MAX_SEEN = 1000


@dataclass
class Cursor:
    since: datetime
    seen: set[int] = field(default_factory=set)

    def encode(self) -> str:
        micros = int(self.since.timestamp() * 1_000_000)
        return f"{micros}.{','.join(str(i) for i in sorted(self.seen))}"

    @classmethod
    def decode(cls, value: str | None) -> Cursor | None:
        """The cursor, or None when ``value`` is missing or not one we made."""
        if not value or len(value) > 20_000:
            return None
        micros, _, seen = value.partition(".")
        ids = {parse_int(part, minimum=1) for part in seen.split(",") if part} if seen else set()
        if parse_int(micros) is None or None in ids:
            return None
        try:
            since = datetime.fromtimestamp(parse_int(micros) / 1_000_000, tz=UTC)
        except (ValueError, OverflowError, OSError):
            return None
        return cls(since=since, seen=set(list(ids)[:MAX_SEEN]))


@dataclass
class Changes:
    cursor: Cursor
    referrals: list[str]
    everything: bool = False


def referral_changes_since(*, user, cursor: Cursor | None, now: datetime | None = None) -> Changes:
    """The public ids of the referrals ``user`` may see that have new history events after ``cursor``.

    One query: the events newer than the cursor's time whose referral passes the visibility filter. When
    more than MAX_EVENTS changed (a bulk import, a long-closed laptop lid), ``everything`` is set and the
    page refreshes whatever it lists instead of receiving every id.
    """
    now = now or timezone.now()
    if cursor is None:
        cursor = Cursor(since=now - OVERLAP)
    # The recent events first (their created_at index), then each one's referral checked against the
    # grants: gathering every referral the user may see first cost a claimer of busy programs 140 ms a poll.
    rows = list(
        ReferralEvent.objects.restrict(user, "view")
        .filter(created_at__gt=cursor.since)
        .order_by("created_at", "id")
        .values_list("id", "created_at", "referral__public_id")[: MAX_EVENTS + 1]
    )
    next_since = max(now - OVERLAP, cursor.since)
    if len(rows) > MAX_EVENTS:
        return Changes(cursor=Cursor(since=next_since), referrals=[], everything=True)
    changed: list[str] = []
    for event_id, _, public_id in rows:
        if event_id not in cursor.seen and str(public_id) not in changed:
            changed.append(str(public_id))
    seen = {event_id for event_id, created_at, _ in rows if created_at > next_since}
    return Changes(cursor=Cursor(since=next_since, seen=seen), referrals=changed)


@never_cache
@require_GET
def live_view(request):
    """JSON for static/js/live.js. Signed out: 401 (not a redirect to the sign-in page), and polling stops."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": "Sign in to receive live updates."}, status=401)
    changes = referral_changes_since(user=request.user, cursor=Cursor.decode(request.GET.get("since")))
    return JsonResponse(
        {
            "cursor": changes.cursor.encode(),
            "referrals": changes.referrals,
            "everything": changes.everything,
        }
    )
