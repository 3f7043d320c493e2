"""Strict readers of environment variables, the only way the settings read the environment.

Each reader returns the default when the variable is unset or blank (docker compose passes ``NAME=`` for an
empty ``${NAME:-}``) and refuses anything it cannot read exactly, at start-up, naming the variable:
``MFA_REQUIRED_FOR_ADMINS=ture`` stops the process instead of silently turning second factors off.
Every variable read here is listed in ``.env.example`` (tests/ops/test_environment.py keeps it so).
"""

from __future__ import annotations

import os
import re

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_PERIODS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "h": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*([a-z]+?)s?\s*$")


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return None
    return value.strip()


def _refuse(name: str, value: str, expected: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"The environment variable {name}={value!r} is not valid: {expected}.")


def is_set(name: str) -> bool:
    return _raw(name) is not None


def env_str(name: str, default: str = "") -> str:
    value = os.environ.get(name)
    return default if value is None or not value.strip() else value


def env_bool(name: str, default: bool = False) -> bool:
    value = _raw(name)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise _refuse(name, value, "write true or false (or 1/0, yes/no, on/off)")


def env_int(name: str, default: int, *, minimum: int | None = 0, maximum: int | None = None) -> int:
    value = _raw(name)
    if value is None:
        return default
    # ASCII digits only: int() would also take "６０" or "1_000".
    if not re.fullmatch(r"-?[0-9]+", value):
        raise _refuse(name, value, "write a whole number")
    number = int(value)
    if minimum is not None and number < minimum:
        raise _refuse(name, value, f"it must be at least {minimum}")
    if maximum is not None and number > maximum:
        raise _refuse(name, value, f"it must be at most {maximum}")
    return number


def env_float(name: str, default: float, *, minimum: float | None = 0) -> float:
    value = _raw(name)
    if value is None:
        return default
    if not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", value):
        raise _refuse(name, value, "write a number (e.g. 30 or 0.5)")
    number = float(value)
    if minimum is not None and number < minimum:
        raise _refuse(name, value, f"it must be at least {minimum}")
    return number


def env_list(name: str, default: str = "") -> list[str]:
    """A comma-separated list; blank items are dropped."""
    value = os.environ.get(name)
    if value is None or not value.strip():
        value = default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = _raw(name)
    if value is None:
        return default
    for choice in choices:
        if value.upper() == choice.upper():
            return choice
    raise _refuse(name, value, f"choose one of {', '.join(choices)}")


def env_rate(name: str, default: str) -> tuple[int, int]:
    """A rate as ``requests/period`` (``60/minute``, ``10/m``, ``1000/day``) → (requests, seconds)."""
    value = _raw(name) or default
    match = _RATE.match(value.lower())
    if not match or match.group(2) not in _PERIODS or int(match.group(1)) < 1:
        raise _refuse(name, value, "write requests/period, e.g. 60/minute (periods: second, minute, hour, day)")
    return int(match.group(1)), _PERIODS[match.group(2)]
