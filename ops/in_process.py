"""The beat's periodic tasks, run in this process: ``manage.py run_sweeps`` and, under ``make run`` (no Redis,
no beat), the development server's once-a-minute loop.

The schedule is the beat's own (``referrals_site.celery``, ``CELERY_BEAT_SCHEDULE``), so a sweep added to the
beat is run here too. Each task takes an optional ``now`` (ISO 8601) and returns what it did, labelled for
people; every one of them is idempotent, so running them by hand beside a beat does no harm.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from django.db import close_old_connections

from core.errors import InvalidInput

logger = logging.getLogger(__name__)

# The outbox sweep runs last: it queues again whatever the others wrote and could not queue.
LAST = ("outbox",)


def schedule() -> dict[str, str]:
    """The beat's entries, name to task, in the order they are run."""
    from celery import current_app as app  # the project's (referrals_site.celery), set as current

    entries = {name: entry["task"] for name, entry in app.conf.beat_schedule.items()}
    return dict(sorted(entries.items(), key=lambda item: (item[0] in LAST, list(entries).index(item[0]))))


def summary(result) -> str:
    """One sweep's result in words: "2 claimer reminders, 1 expired", or "nothing due"."""
    if isinstance(result, dict):
        done = [f"{count} {label}" for label, count in result.items() if count]
        return ", ".join(done) or "nothing due"
    return str(result)


def run(*, now: datetime | None = None, only: str | None = None) -> list[tuple[str, str]]:
    """Runs every sweep of the beat's schedule (or only ``only``) once, with the clock ``now`` (the current
    time when None). Returns (name, summary) per sweep. An unknown name is refused, naming the choices."""
    from celery import current_app as app  # the project's (referrals_site.celery), set as current

    entries = schedule()
    if only is not None:
        if only not in entries:
            raise InvalidInput(
                f"There is no sweep named {only!r}; the sweeps are {', '.join(entries)}.",
                code="unknown_sweep",
                field="only",
            )
        entries = {only: entries[only]}
    app.loader.import_default_modules()
    kwargs = {"now": now.isoformat()} if now is not None else {}
    results = []
    for name, task_name in entries.items():
        result = app.tasks[task_name].apply(kwargs=kwargs, throw=True).get()
        results.append((name, summary(result)))
    return results


def line(results: list[tuple[str, str]]) -> str:
    return "; ".join(f"{name}: {text}" for name, text in results)


_loop_started = threading.Event()


def start_loop(*, every: float) -> bool:
    """Runs every sweep now and then every ``every`` seconds in a daemon thread of this process, once per
    process (the development server calls it from the process that serves, never from the autoreloader's
    watcher, so a reload starts a new process with its own single loop). False when already running."""
    if _loop_started.is_set():
        return False
    _loop_started.set()
    threading.Thread(target=_loop, args=(every,), name="sweeps-in-process", daemon=True).start()
    return True


def _loop(every: float) -> None:
    stop = threading.Event()
    while True:
        try:
            logger.info("sweeps: %s", line(run()))
        except Exception:  # the loop outlives a failing sweep, as a beat does; the next round tries again
            logger.exception("sweeps: a sweep failed; trying again in %s seconds", every)
        finally:
            close_old_connections()
        stop.wait(every)
