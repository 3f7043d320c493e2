"""The Celery application.

It reads Django settings from DJANGO_SETTINGS_MODULE and never falls back to development settings:
a worker started without it refuses to start instead of serving the wrong configuration.
"""

import os

from celery import Celery
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

# `make beat`: the sweeps. Both are idempotent, so a beat that runs twice (or late) does no harm.
app.conf.beat_schedule = {
    "outbox-sweep": {"task": "notifications.tasks.sweep_outbox", "schedule": 60.0},
    "escalation-sweep": {"task": "notifications.tasks.sweep_escalations", "schedule": 300.0},
    "webhook-sweep": {"task": "webhooks.tasks.sweep_webhooks", "schedule": 60.0},
}


@app.on_configure.connect
def _require_settings(sender=None, **kwargs):
    _settings_module()
