"""The ``ago`` filter words a moment as Django's ``timesince(value, now, depth=1)`` does, worked out faster."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation
from django.utils.timesince import timesince

from referrals.templatetags.referral_display import ago


def django_ago(value, now):
    """What ``ago`` said before it worked the words out itself."""
    if value > now:
        value = now
    if now - value < timedelta(minutes=1):
        return "just now"
    return f"{timesince(value, now, depth=1)} ago".replace("\xa0", " ")


def moments(now):
    """A year and more before ``now`` in uneven steps, and the moments around each month's end."""
    step = timedelta(minutes=7, seconds=13)
    value = now + timedelta(minutes=5)  # the future reads "just now"
    while value > now - timedelta(days=800):
        yield value
        value -= step
        step = min(step * 1.07, timedelta(days=3, hours=5))
    for months_back in range(26):
        year, month = divmod(now.month - 1 - months_back, 12)
        first = now.replace(year=now.year + year, month=month + 1, day=1)
        for shift in (timedelta(0), timedelta(seconds=-1), timedelta(hours=-5), timedelta(days=-1), timedelta(days=30)):
            value = first + shift
            if value <= now:
                yield value
        for day in (28, 29, 30, 31):
            try:
                yield now.replace(year=now.year + year, month=month + 1, day=day)
            except ValueError:
                continue


NOWS = [
    datetime(2026, 3, 31, 23, 59, 30, tzinfo=UTC),
    datetime(2026, 3, 1, 0, 0, 0, tzinfo=UTC),
    datetime(2028, 2, 29, 12, 0, 0, tzinfo=UTC),
    datetime(2026, 12, 7, 3, 15, 42, 123456, tzinfo=UTC),
]


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("now", NOWS, ids=str)
def test_ago_words_each_moment_as_timesince(monkeypatch, language, now):
    monkeypatch.setattr(timezone, "now", lambda: now)
    checked = 0
    with translation.override(language):
        for value in moments(now):
            for zone in (UTC, ZoneInfo("America/Chicago")):  # stored values are UTC; a local one counts its own way
                moment = value.astimezone(zone)
                assert ago(moment) == django_ago(moment, now), (moment, now)
                checked += 1
    assert checked > 400


def test_ago_in_spanish_is_spanish_words(monkeypatch):
    now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: now)
    with translation.override("es"):
        spanish = ago(now - timedelta(days=3))
    with translation.override("en"):
        english = ago(now - timedelta(days=3))
    assert english == "3 days ago"
    assert spanish != english and spanish.startswith("3 ")


def test_ago_of_nothing():
    assert ago(None) == ""
    assert ago("") == ""
