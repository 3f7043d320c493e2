"""Carry the request id from the web request into the Celery tasks it queues, and into their log lines; log
the worker and beat as Django's LOGGING says (one JSON object per line in production); record the sweeps'
heartbeats (ops.sweeps)."""

import logging.config

from celery.signals import before_task_publish, setup_logging, task_postrun, task_prerun, task_success

from . import request_id

HEADER = "request_id"
_tokens: dict = {}


@before_task_publish.connect
def _add_request_id(headers=None, **kwargs):
    rid = request_id.current()
    if rid and headers is not None:
        headers.setdefault(HEADER, rid)


@task_prerun.connect
def _activate_request_id(task_id=None, task=None, **kwargs):
    rid = getattr(task.request, HEADER, None) if task is not None else None
    # Eager tasks run inside the request and keep its id.
    _tokens[task_id] = request_id.activate(rid or request_id.current() or f"task-{task_id}")


@task_postrun.connect
def _reset_request_id(task_id=None, **kwargs):
    token = _tokens.pop(task_id, None)
    if token is not None:
        try:
            request_id.reset(token)
        except ValueError:  # reset from another context (eager tasks run inside the request's)
            pass


@setup_logging.connect
def _use_django_logging(**kwargs):
    """Celery configures no logging of its own when this signal has a receiver: the worker and beat log
    through settings.LOGGING, like the web app (JSON lines with the request or task id in production)."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


@task_success.connect
def _record_sweep(sender=None, **kwargs):
    if sender is None:
        return
    from . import sweeps

    sweeps.record_finished(sender.name)
