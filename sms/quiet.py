"""Quiet hours: no text is sent between 21:00 and 08:00 where the seeker lives (``SMS_QUIET_HOURS``).

The seeker's time zone comes from their zip code (``core.zipcode.timezone_for``: the ``zipcodes`` package's
table, offline); without a zip code, or for one the table does not know, the site's ``TIME_ZONE``. A text due in
quiet hours waits in the outbox (``core.outbox.Defer``: no attempt spent) until the next end of quiet hours
there, whatever kind it is: urgent referrals and answer confirmations wait too.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from core.zipcode import timezone_for


def quiet_hours() -> tuple[time, time] | None:
    """(start, end) from ``SMS_QUIET_HOURS`` ("21:00-08:00"), or None when it is "off" (no quiet hours)."""
    value = (getattr(settings, "SMS_QUIET_HOURS", "21:00-08:00") or "").strip()
    if value.lower() in ("", "off"):
        return None
    try:
        start, end = (time.fromisoformat(part.strip()) for part in value.split("-"))
    except ValueError as error:
        raise ImproperlyConfigured(f"SMS_QUIET_HOURS must be like 21:00-08:00, not {value!r}.") from error
    return start, end


def zone_of(seeker) -> ZoneInfo:
    return ZoneInfo(timezone_for(getattr(seeker, "zip_code", "") or "") or settings.TIME_ZONE)


def quiet_until(zone: ZoneInfo, *, now: datetime | None = None) -> datetime | None:
    """When quiet hours end in ``zone`` if ``now`` falls in them, else None."""
    hours = quiet_hours()
    if hours is None:
        return None
    start, end = hours
    local = (now or timezone.now()).astimezone(zone)
    clock = local.time()
    inside = (start <= clock or clock < end) if start > end else (start <= clock < end)
    if not inside:
        return None
    day = local.date() if clock < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=zone)
