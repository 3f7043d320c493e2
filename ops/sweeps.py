"""The periodic sweeps' heartbeats: each run of a task the beat schedules records when it finished, and
``/healthz?deep=1`` reports each sweep's age and fails when one is older than its limit.

A sweep is late when its last run finished more than ``max(SWEEP_MAX_AGE_SECONDS, 2 x its interval)`` ago,
or when it never ran: the beat has stopped, is stuck, or no worker runs what it schedules. Escalations,
expiry, the outbox sweep and retention would then silently stop; the deep check makes it loud.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .models import SweepHeartbeat


def _seconds(schedule) -> float | None:
    if isinstance(schedule, (int, float)):
        return float(schedule)
    if isinstance(schedule, timedelta):
        return schedule.total_seconds()
    run_every = getattr(schedule, "run_every", None)  # celery.schedules.schedule
    return run_every.total_seconds() if isinstance(run_every, timedelta) else None


def scheduled_sweeps() -> dict[str, float]:
    """{task name: interval in seconds} of every entry the beat schedules at a fixed interval."""
    # The project's Celery app (referrals_site.celery, made current when Django loads its settings), reached
    # without importing the wiring: no app imports referrals_site.
    from celery import current_app

    sweeps = {}
    for entry in (current_app.conf.beat_schedule or {}).values():
        interval = _seconds(entry.get("schedule"))
        if interval:
            sweeps[entry["task"]] = min(interval, sweeps.get(entry["task"], interval))
    return sweeps


def record_finished(task_name: str, *, now=None) -> None:
    """Called when any task finishes successfully; remembers the sweeps'."""
    if task_name not in scheduled_sweeps():
        return
    SweepHeartbeat.objects.update_or_create(task=task_name, defaults={"finished_at": now or timezone.now()})


def sweep_ages(*, now=None) -> dict[str, dict]:
    """Each scheduled sweep's age in seconds (None: never ran), its limit, and whether it is within it."""
    now = now or timezone.now()
    finished = dict(SweepHeartbeat.objects.values_list("task", "finished_at"))
    report = {}
    for task, interval in sorted(scheduled_sweeps().items()):
        limit = max(float(settings.SWEEP_MAX_AGE_SECONDS), 2 * interval)
        age = (now - finished[task]).total_seconds() if task in finished else None
        report[task] = {
            "age_seconds": None if age is None else round(age),
            "max_age_seconds": round(limit),
            "ok": age is not None and age <= limit,
        }
    return report
