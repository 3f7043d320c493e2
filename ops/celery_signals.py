"""Carry the request id from the web request into the Celery tasks it queues, and into their log lines."""

from celery.signals import before_task_publish, task_postrun, task_prerun

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
