import json
import logging

import pytest

from ops import request_id
from ops.logging import JsonFormatter, RequestIdFilter, json_logging_config


def test_every_response_carries_a_new_request_id(client, db):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert len(first) == 32 and first != second


def test_the_proxy_request_id_is_kept(client, db):
    response = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.42"})
    assert response["X-Request-ID"] == "lb-7f3a.42"


@pytest.mark.parametrize("bad", ["has spaces", "x" * 200, 'quote"s', "new\nline"])
def test_an_unsafe_request_id_is_replaced(client, db, bad):
    response = client.get("/healthz", headers={"X-Request-ID": bad})
    assert response["X-Request-ID"] != bad
    assert len(response["X-Request-ID"]) == 32


def test_the_request_line_is_logged_with_the_request_id(client, db, caplog):
    caplog.set_level(logging.INFO, logger="ops.requests")
    client.get("/healthz", headers={"X-Request-ID": "abc123"})
    [record] = [r for r in caplog.records if r.name == "ops.requests"]
    assert record.status_code == 200 and record.path == "/healthz" and record.method == "GET"
    assert RequestIdFilter().filter(record) and record.request_id == "abc123"


def _format(message, **extra):
    record = logging.LogRecord("referrals", logging.WARNING, __file__, 1, message, (), None)
    for key, value in extra.items():
        setattr(record, key, value)
    RequestIdFilter().filter(record)
    return json.loads(JsonFormatter().format(record))


def test_json_lines_carry_the_current_request_id_and_extra_fields():
    token = request_id.activate("req-1")
    try:
        line = _format("Referral %s changed", status_code=409)
    finally:
        request_id.reset(token)
    assert line["message"] == "Referral %s changed"
    assert line["request_id"] == "req-1"
    assert line["level"] == "WARNING" and line["logger"] == "referrals"
    assert line["status_code"] == 409
    assert line["time"].endswith("+00:00")


def test_exceptions_are_one_json_line():
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    output = JsonFormatter().format(record)
    assert "\n" not in output
    assert "ValueError: boom" in json.loads(output)["exception"]


def test_production_logging_config_is_valid():
    import logging.config

    config = json_logging_config("INFO")
    logging.config.dictConfig(config)
    try:
        handler = logging.getLogger().handlers[0]
        assert isinstance(handler.formatter, JsonFormatter)
    finally:
        from django.conf import settings

        logging.config.dictConfig(settings.LOGGING)


class _Task:
    def __init__(self, request_id=None):
        self.request = type("Request", (), {"request_id": request_id})()


def test_tasks_queued_by_a_request_carry_its_id_into_their_logs():
    from ops import celery_signals

    headers = {}
    token = request_id.activate("req-42")
    try:
        celery_signals._add_request_id(headers=headers)
    finally:
        request_id.reset(token)
    assert headers == {"request_id": "req-42"}

    celery_signals._activate_request_id(task_id="t1", task=_Task(headers["request_id"]))
    assert request_id.current() == "req-42"
    celery_signals._reset_request_id(task_id="t1")
    assert request_id.current() == ""

    celery_signals._activate_request_id(task_id="t2", task=_Task())
    assert request_id.current() == "task-t2"
    celery_signals._reset_request_id(task_id="t2")
