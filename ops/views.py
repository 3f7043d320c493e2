"""Health and readiness for load balancers and orchestrators. Anonymous, JSON, never cached."""

import json

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return f"error: {error.__class__.__name__}"
    return "ok"


# One client per process (and Redis address), its connections pooled: a client made for each check opened a new
# connection and read redis-py's version from the installed metadata every time (~1 ms of CPU a check). A
# connection Redis dropped is opened again by the next check.
_REDIS_CLIENTS: dict = {}


def _check_redis() -> str:
    if not settings.REDIS_URL:
        return "not configured"
    import redis

    client = _REDIS_CLIENTS.get(settings.REDIS_URL)
    if client is None:
        client = _REDIS_CLIENTS.setdefault(
            settings.REDIS_URL, redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
        )
    try:
        client.ping()
    except redis.RedisError as error:
        return f"error: {error.__class__.__name__}"
    return "ok"


# Migrations never become unapplied under running code, so once they are all applied the answer is kept.
_migrations_applied = False


def _answer(checks: dict) -> JsonResponse:
    healthy = not any(value.startswith("error") for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks}, status=200 if healthy else 503
    )


def _check_sweeps() -> tuple[str, dict]:
    from . import sweeps

    try:
        ages = sweeps.sweep_ages()
    except DatabaseError as error:
        return f"error: {error.__class__.__name__}", {}
    late = sorted(task for task, sweep in ages.items() if not sweep["ok"])
    return (f"error: late: {', '.join(late)}" if late else "ok"), ages


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """200 when the database and Redis (when configured) answer; 503 otherwise. With ``?deep=1`` also each
    periodic sweep's age (ops.sweeps): 503 when one has not finished within its limit (the beat stopped)."""
    checks = {"database": _check_database(), "redis": _check_redis()}
    if request.GET.get("deep") not in (None, "", "0"):
        checks["sweeps"], ages = _check_sweeps()
        response = _answer(checks)
        payload = json.loads(response.content)
        payload["sweeps"] = ages
        return JsonResponse(payload, status=response.status_code)
    return _answer(checks)


@login_not_required
@never_cache
@require_GET
def readyz(request):
    """200 when every migration is applied (this process may take traffic); 503 otherwise."""
    global _migrations_applied
    database = _check_database()
    if database != "ok":
        return _answer({"database": database, "migrations": "unknown"})
    if _migrations_applied:
        return _answer({"database": database, "migrations": "ok"})
    try:
        loader = MigrationExecutor(connection).loader
        # Every known migration, not only the plan to the leaves: a plan skips an app whose leaf is recorded.
        pending = sorted(
            f"{app}.{name}" for app, name in loader.graph.nodes if (app, name) not in loader.applied_migrations
        )
    except DatabaseError as error:
        return _answer({"database": database, "migrations": f"error: {error.__class__.__name__}"})
    if pending:
        return JsonResponse(
            {"status": "unavailable", "checks": {"database": database, "migrations": "pending"}, "pending": pending},
            status=503,
        )
    _migrations_applied = True
    return _answer({"database": database, "migrations": "ok"})
