"""Nothing parks: the demo network left alone for 90 days, `run_sweeps` once a simulated day.

Every referral still open at the end has a line in its history within the last stall period of its status
(referrals.stalls), and the unanswered ones have all been chased and expired (referrals.sweeps).
"""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Max
from django.utils import timezone

from ops import in_process
from referrals import stalls, statuses
from referrals.models import Referral, ReferralEvent

DAYS = 90


@pytest.fixture
def demo(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())


def test_no_open_referral_parks_over_ninety_days(demo):
    referrals = Referral.objects.unscoped("the whole demo network")
    start = timezone.now()
    stallable_at_start = referrals.filter(status__in=statuses.STALLABLE).count()
    assert (
        stallable_at_start >= 5 and referrals.filter(status__in=[statuses.Status.SENT, statuses.Status.VIEWED]).exists()
    )
    out = StringIO()
    for day in range(1, DAYS + 1):
        call_command("run_sweeps", "--now", (start + timedelta(days=day)).isoformat(), stdout=out)
    end = start + timedelta(days=DAYS)

    still_open = list(referrals.filter(status__in=sorted(statuses.OPEN)).select_related("program"))
    assert len(still_open) == stallable_at_start  # the unanswered expired; the answered stayed and were chased
    last_event = dict(
        ReferralEvent.objects.unscoped("the demo's history")
        .filter(created_at__lte=end)
        .values("referral_id")
        .annotate(last=Max("created_at"))
        .values_list("referral_id", "last")
    )
    for referral in still_open:
        assert referral.status in statuses.STALLABLE
        period = stalls.stall_period(referral.program, referral.status)
        assert last_event[referral.pk] >= end - period, (referral, referral.status, last_event[referral.pk])
        # Chased once per stall period, never in a burst.
        chased = referral.events.filter(kind=ReferralEvent.Kind.STALLED).values_list("created_at", flat=True)
        assert len(chased) <= DAYS // period.days + 2
    lines = out.getvalue().splitlines()
    assert len(lines) == DAYS * len(in_process.schedule()) and any(
        line.startswith("stalled: ") and "claimer checks" in line for line in lines
    )
    assert any("referrer alerts" in line for line in lines) and any("seeker reminders" in line for line in lines)
