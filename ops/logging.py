"""Structured logs: one JSON object per line, with the request id. Standard library only."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from . import request_id

# Attributes every LogRecord has; anything else on a record came from ``extra=`` and is logged as a field.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "request_id"}


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` (the request or task being served, or "") to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = request_id.current()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or request_id.current(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def json_logging_config(level: str = "INFO") -> dict:
    """The LOGGING setting of production: JSON lines on stderr, request ids on every line."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "ops.logging.RequestIdFilter"}},
        "formatters": {"json": {"()": "ops.logging.JsonFormatter"}},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"]},
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            # Our own request line replaces Django's: it carries the duration and the request id.
            "django.server": {"level": "WARNING"},
            "ops.requests": {"level": "INFO"},
        },
    }


def gunicorn_logging_config(level: str = "INFO") -> dict:
    """gunicorn's ``logconfig_dict`` (gunicorn.conf.py): its own lines (start, worker boot and exit, timeouts)
    as JSON objects too. Its access log stays off: ops.middleware writes one line per request, with the id."""
    config = json_logging_config(level)
    config["loggers"] = {
        **config["loggers"],
        "gunicorn.error": {"level": level, "handlers": ["console"], "propagate": False},
        "gunicorn.access": {"level": "WARNING", "handlers": ["console"], "propagate": False},
    }
    return config
