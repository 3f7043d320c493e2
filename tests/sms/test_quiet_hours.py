"""Quiet hours (issue 14 item 4): no text between 21:00 and 08:00 where the seeker lives, by zip code; the text
waits in the outbox until 08:00 there, without spending an attempt."""

from datetime import UTC, datetime, time, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from core import outbox
from core.zipcode import timezone_for
from seekers.models import Seeker
from sms import quiet
from sms.models import TextMessage

UTC = UTC


@pytest.fixture
def quiet_hours(settings):
    settings.SMS_QUIET_HOURS = "21:00-08:00"


def test_a_zip_code_gives_its_time_zone_offline():
    assert timezone_for("60640") == "America/Chicago"
    assert timezone_for("96813") == "Pacific/Honolulu"
    assert timezone_for("10001") == "America/New_York"
    assert timezone_for("00000") is None and timezone_for("") is None and timezone_for("abc") is None


@pytest.mark.parametrize(
    "utc,zone,expected",
    [
        (datetime(2026, 12, 7, 3, 30, tzinfo=UTC), "America/Chicago", datetime(2026, 12, 7, 8, 0)),  # 21:30 there
        (datetime(2026, 12, 7, 13, 59, tzinfo=UTC), "America/Chicago", datetime(2026, 12, 7, 8, 0)),  # 07:59
        (datetime(2026, 12, 7, 14, 0, tzinfo=UTC), "America/Chicago", None),  # 08:00: allowed
        (datetime(2026, 12, 8, 2, 59, tzinfo=UTC), "America/Chicago", None),  # 20:59: allowed
        (datetime(2026, 12, 7, 3, 30, tzinfo=UTC), "Pacific/Honolulu", None),  # 17:30 in Honolulu
    ],
)
def test_quiet_hours_end_at_eight_local_time(quiet_hours, utc, zone, expected):
    until = quiet.quiet_until(ZoneInfo(zone), now=utc)
    if expected is None:
        assert until is None
    else:
        assert until == expected.replace(tzinfo=ZoneInfo(zone))


def a_night_to_come(hour_utc=3, minute=30) -> datetime:
    """03:30 UTC on a day after tomorrow (21:30 or 22:30 in Chicago, 17:30 in Honolulu). A text's row is made due
    by the model's own clock (``default=timezone.now``, which patching ``timezone.now`` does not reach), so the
    moment a test pretends it is must lie ahead of the real one, or the row is not due yet then."""
    day = datetime.now(UTC).date() + timedelta(days=2)
    return datetime(day.year, day.month, day.day, hour_utc, minute, tzinfo=UTC)


def test_a_text_due_at_night_waits_until_eight_where_the_seeker_lives(texting, quiet_hours, text_outbox):
    night = a_night_to_come()  # 21:30 in Chicago (22:30 in summer), where the seeker's zip 60640 is
    chicago = ZoneInfo("America/Chicago")
    eight = datetime.combine(night.astimezone(chicago).date() + timedelta(days=1), time(8), tzinfo=chicago)
    Seeker.objects_across_tenants.filter(pk=texting.seeker.pk).update(zip_code="60640")
    texting.seeker.refresh_from_db()
    with mock.patch("django.utils.timezone.now", return_value=night):
        texting.refer(urgency="urgent")
    row = TextMessage.objects.get()
    assert (row.status, row.attempts) == ("pending", 0)
    assert row.next_attempt_at == eight
    assert text_outbox == []

    morning = eight + timedelta(minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=morning):
        assert outbox.deliver("text", row.pk).outcome == outbox.Outcome.SENT
    assert len(text_outbox) == 1


def test_the_same_hour_is_daytime_in_another_time_zone(texting, quiet_hours, text_outbox):
    Seeker.objects_across_tenants.filter(pk=texting.seeker.pk).update(zip_code="96813")  # Honolulu: 17:30
    texting.seeker.refresh_from_db()
    with mock.patch("django.utils.timezone.now", return_value=a_night_to_come()):
        texting.refer()
    assert len(text_outbox) == 1
