"""The id of the request being served, for log lines and for the tasks it queues."""

from __future__ import annotations

import contextvars
import re
import uuid

HEADER = "X-Request-ID"
# A request id from a proxy is kept only if it is short and plain: it ends up in every log line.
_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

_current: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


def current() -> str:
    return _current.get()


def activate(request_id: str) -> contextvars.Token:
    return _current.set(request_id)


def reset(token: contextvars.Token) -> None:
    _current.reset(token)


def from_header(value: str | None) -> str:
    """The incoming id when it is acceptable, otherwise a new one."""
    if value and _ACCEPTABLE.match(value):
        return value
    return uuid.uuid4().hex
