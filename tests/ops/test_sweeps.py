"""A stopped or stuck beat is noticed: each sweep records when it finished and /healthz?deep=1 reports each
sweep's age, failing past its limit. The worker and gunicorn log JSON lines with the request id, like the app."""

import io
import json
import logging
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from django.utils import timezone

from ops.models import SweepHeartbeat
from ops.sweeps import scheduled_sweeps

ROOT = Path(__file__).resolve().parents[2]
OUTBOX_SWEEP = "core.tasks.sweep_outboxes"
ESCALATION_SWEEP = "referrals.tasks.sweep_escalations"


@pytest.fixture
def no_redis(settings):
    settings.REDIS_URL = ""
    settings.SWEEP_MAX_AGE_SECONDS = 900


def _all_sweeps_finished(ago: timedelta):
    for task in scheduled_sweeps():
        SweepHeartbeat.objects.update_or_create(task=task, defaults={"finished_at": timezone.now() - ago})


def test_the_beat_schedules_the_sweeps_the_check_watches():
    sweeps = scheduled_sweeps()
    assert sweeps[OUTBOX_SWEEP] == 60 and sweeps[ESCALATION_SWEEP] == 300
    assert "privacy.tasks.erase_inactive_seekers" in sweeps


def test_running_a_sweep_records_its_heartbeat(db, django_capture_on_commit_callbacks):
    from core.tasks import sweep_outboxes

    sweep_outboxes.apply()
    heartbeat = SweepHeartbeat.objects.get(task=OUTBOX_SWEEP)
    assert timezone.now() - heartbeat.finished_at < timedelta(minutes=1)


def test_the_deep_check_reports_each_sweeps_age(client, db, no_redis):
    _all_sweeps_finished(timedelta(seconds=30))
    response = client.get("/healthz?deep=1")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["checks"]["sweeps"] == "ok"
    assert 29 <= body["sweeps"][OUTBOX_SWEEP]["age_seconds"] <= 90
    assert body["sweeps"][OUTBOX_SWEEP]["max_age_seconds"] == 900
    # The daily retention sweep may be two days old.
    assert body["sweeps"]["privacy.tasks.erase_inactive_seekers"]["max_age_seconds"] == 2 * 24 * 3600


def test_a_stopped_beat_fails_the_deep_check(client, db, no_redis):
    _all_sweeps_finished(timedelta(seconds=30))
    SweepHeartbeat.objects.filter(task=ESCALATION_SWEEP).update(finished_at=timezone.now() - timedelta(minutes=20))
    response = client.get("/healthz?deep=1")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["sweeps"] == f"error: late: {ESCALATION_SWEEP}"
    assert body["sweeps"][ESCALATION_SWEEP]["ok"] is False and body["sweeps"][ESCALATION_SWEEP]["age_seconds"] >= 1200
    # The plain check (load balancers) is about this process, not the beat: still 200.
    assert client.get("/healthz").status_code == 200


def test_a_sweep_that_never_ran_fails_the_deep_check(client, db, no_redis):
    response = client.get("/healthz?deep=1")
    assert response.status_code == 503
    assert response.json()["sweeps"][OUTBOX_SWEEP] == {"age_seconds": None, "max_age_seconds": 900, "ok": False}


def test_compose_checks_the_beat_with_the_deep_check():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    healthcheck = compose["services"]["beat"]["healthcheck"]
    assert not healthcheck.get("disable")
    assert healthcheck["test"][:4] == ["CMD", "python", "-m", "ops.healthcheck"]
    assert healthcheck["test"][4] == "/healthz?deep=1"


def test_the_celery_worker_logs_json_lines_with_the_task_id(settings):
    """Celery leaves logging to Django's LOGGING (JSON in production) instead of its own format."""
    from celery.signals import setup_logging

    from ops import request_id
    from ops.logging import json_logging_config

    assert setup_logging.receivers, "Celery would configure its own (plain text) logging"
    stream = io.StringIO()
    settings.LOGGING = json_logging_config("INFO")
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        setup_logging.send(sender=None, loglevel="INFO", logfile=None, format="", colorize=False)
        handler = root.handlers[0]
        handler.setStream(stream)
        token = request_id.activate("task-1234")
        try:
            logging.getLogger("celery.worker.strategy").warning("Task received")
        finally:
            request_id.reset(token)
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
    line = json.loads(stream.getvalue().strip().splitlines()[-1])
    assert line["message"] == "Task received" and line["request_id"] == "task-1234"


def test_gunicorn_logs_json_lines():
    """gunicorn reads gunicorn.conf.py from the working directory: its own lines become JSON objects."""
    code = (
        "import sys; from gunicorn.config import Config; from gunicorn.glogging import Logger;"
        "cfg = Config(); [cfg.set(k, v) for k, v in __import__('runpy').run_path('gunicorn.conf.py').items()"
        " if k in cfg.settings];"
        "log = Logger(cfg); log.error('Worker (pid:%s) was sent SIGKILL', 42); log.info('Booting worker')"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.strip().splitlines()]
    assert [line["message"] for line in lines] == ["Worker (pid:42) was sent SIGKILL", "Booting worker"]
    assert {line["logger"] for line in lines} == {"gunicorn.error"} and all("request_id" in line for line in lines)
