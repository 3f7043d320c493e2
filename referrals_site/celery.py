"""The Celery application.

It reads Django settings from DJANGO_SETTINGS_MODULE and never falls back to development settings:
a worker started without it refuses to start instead of serving the wrong configuration.
"""

import os

from celery import Celery
from celery.signals import task_postrun
from django.core.exceptions import ImproperlyConfigured


def _settings_module() -> str:
    module = os.environ.get("DJANGO_SETTINGS_MODULE")
    if not module:
        raise ImproperlyConfigured(
            "DJANGO_SETTINGS_MODULE is not set; choose referrals_site.settings.prod (or dev) explicitly."
        )
    return module


app = Celery("referrals_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# `make beat`: the sweeps and the scorecard's figures. All are idempotent, so a beat that runs twice (or late) does no harm.
# Each task takes an optional `now` (ISO 8601) and returns what it did: `manage.py run_sweeps [--only NAME]
# [--now TIME]` runs them in-process by these names (ops.in_process).
SWEEPS = {
    # Every outbox channel (email, webhooks): rows the broker or a dead worker lost (core.outbox.sweep).
    "outbox": {"task": "core.tasks.sweep_outboxes", "schedule": 60.0},
    # Retention: sent messages' subjects and bodies cleared after NOTIFICATION_BODY_RETENTION_DAYS.
    "outbox-retention": {"task": "core.tasks.clear_outbox_content", "schedule": 24 * 60 * 60.0},
    "escalation": {"task": "referrals.tasks.sweep_escalations", "schedule": 300.0},
    # Answered referrals left alone in their status (referrals.stalls).
    "stalled": {"task": "referrals.tasks.sweep_stalls", "schedule": 900.0},
    "scorecard": {"task": "reports.tasks.keep_network_scorecard", "schedule": 240.0},
    # The organization reports their admins watch, counted ahead of them (reports.ahead).
    "organization-reports": {"task": "reports.tasks.keep_organization_reports", "schedule": 60.0},
}


@app.on_after_configure.connect
def _schedule_sweeps(sender=None, **kwargs):
    # Added to the entries settings declare (CELERY_BEAT_SCHEDULE: privacy's retention sweep), not over them.
    sender.conf.beat_schedule = {**(sender.conf.beat_schedule or {}), **SWEEPS}


@task_postrun.connect
def _close_old_connections(**kwargs):
    """Keep a worker's database connection for CONN_MAX_AGE, as requests do, and drop broken ones."""
    if kwargs.get("task") is not None and getattr(kwargs["task"].request, "is_eager", False):
        return  # in-process (eager) tasks run inside a request, which manages its own connection
    from django.db import close_old_connections

    close_old_connections()


@app.on_configure.connect
def _require_settings(sender=None, **kwargs):
    _settings_module()
