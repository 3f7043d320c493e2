"""The organization report groups its referrals by status and reason and by an ordered bucket expression; these
check that the groups are the kinds their conditions define (reports.selectors.outcome_kinds, _bucket_conditions)."""

from datetime import timedelta

import pytest
from django.db.models import Case, IntegerField, Q, Value, When

from referrals.models import Referral
from referrals.statuses import Reason, Status
from reports.selectors import _bucket_conditions, _bucket_index, outcome_kinds, outcome_of

from .conftest import at


def _meets(condition: Q, status: str, reason: str) -> bool:
    """A kind's condition (lookups of status and status_reason, ANDed) for one status and reason."""
    for lookup, value in condition.children:
        field, _, operator = lookup.partition("__")
        actual = {"status": status, "status_reason": reason}[field]
        if (operator == "in" and actual not in value) or (operator == "" and actual != value):
            return False
    return True


def test_the_outcome_of_a_status_and_reason_is_the_first_kind_whose_condition_it_meets():
    kinds = outcome_kinds()
    for status in Status.values:
        for reason in ["", *Reason.values]:
            first = next(
                (index for index, (_, condition) in enumerate(kinds) if _meets(condition, status, reason)), None
            )
            assert outcome_of(status, reason) == first, (status, reason)
    assert outcome_of(Status.ENTERED_IN_ERROR.value, "") is None


@pytest.mark.django_db
def test_the_bucket_index_is_the_bucket_whose_condition_holds(figures):
    sent = at(2, 2, 9)
    answered_after = [None, *(timedelta(minutes=minutes) for minutes in (0, 59, 60, 61, 239, 240, 241))]
    answered_after += [timedelta(hours=hours) for hours in (23, 24, 25, 71, 72, 73, 167, 168, 169, 1000)]
    referral = Referral.objects_across_tenants.filter(sent_at__isnull=False).first()
    conditions = Case(
        *(When(condition, then=Value(index)) for index, (_, condition) in enumerate(_bucket_conditions())),
        output_field=IntegerField(),
    )
    for after in answered_after:
        Referral.objects_across_tenants.filter(pk=referral.pk).update(
            sent_at=sent, first_response_at=None if after is None else sent + after
        )
        row = Referral.objects_across_tenants.filter(pk=referral.pk).values(ordered=_bucket_index(), by=conditions)
        [row] = list(row)
        assert row["ordered"] == row["by"] is not None, after


@pytest.mark.django_db
def test_the_week_of_a_referral_is_the_monday_its_sending_falls_in(figures):
    """PostgreSQL numbers the weeks among their first moments (_week_of); SQLite, like the definition, takes the
    Monday of sent_at in the site's time zone. Across both changes of the clock and each side of midnight."""
    from datetime import date

    from django.db import connection
    from django.db.models.functions import TruncWeek

    from reports.selectors import Period, _week, _week_of

    period = Period(start=date(2026, 2, 25), end=date(2026, 11, 12))  # a Wednesday to a Thursday
    mondays = period.weeks()
    referral = Referral.objects_across_tenants.filter(sent_at__isnull=False).first()
    moments = [at(2, 25, 0), at(3, 1, 23, 59), at(3, 2, 0), at(3, 8, 1, 59), at(3, 8, 3), at(3, 9, 0)]
    moments += [at(10, 31, 23, 59), at(11, 1, 1, 30), at(11, 2, 0), at(11, 8, 23, 59), at(11, 12, 23, 59)]
    for moment in moments:
        Referral.objects_across_tenants.filter(pk=referral.pk).update(sent_at=moment)
        [row] = Referral.objects_across_tenants.filter(pk=referral.pk).values(
            week=_week_of(connection, period), monday=TruncWeek("sent_at")
        )
        week = mondays[row["week"] - 1] if connection.vendor == "postgresql" else _week(row["week"])
        assert week == _week(row["monday"]) == moment.date() - timedelta(days=moment.weekday()), moment
