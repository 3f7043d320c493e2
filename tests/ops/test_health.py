import json

import pytest
from django.db import OperationalError
from django.db.migrations.recorder import MigrationRecorder

from ops import views

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture(autouse=True)
def fresh_readiness(monkeypatch):
    monkeypatch.setattr(views, "_migrations_applied", False)


def test_healthz_answers_anonymous_with_json(client, db, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "not configured"}}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_checks_redis_when_configured(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/8"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["redis"] == "ok"


def test_healthz_keeps_one_redis_client_and_its_connections(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/8"
    for _ in range(3):
        assert client.get("/healthz").json()["checks"]["redis"] == "ok"
    kept = views._REDIS_CLIENTS[settings.REDIS_URL]
    assert kept.connection_pool._created_connections == 1  # three checks, one connection
    kept.connection_pool.disconnect()  # as when Redis restarts: the next check connects again
    assert client.get("/healthz").json()["checks"]["redis"] == "ok"


def test_healthz_is_503_when_redis_is_unreachable(client, db, settings):
    settings.REDIS_URL = UNREACHABLE_REDIS
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"]["redis"].startswith("error")
    assert response.json()["checks"]["database"] == "ok"


class _BrokenConnection:
    def cursor(self):
        raise OperationalError("could not connect to server")


def test_healthz_is_503_when_the_database_is_unreachable(client, db, settings, monkeypatch):
    settings.REDIS_URL = ""
    monkeypatch.setattr(views, "connection", _BrokenConnection())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "error: OperationalError"


def test_readyz_is_200_when_every_migration_is_applied(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok"}}


def test_readyz_is_503_while_a_migration_is_pending(client, db, monkeypatch):
    monkeypatch.setattr(views, "_migrations_applied", False)  # an earlier request in this process saw them all
    MigrationRecorder.Migration.objects.filter(app="referrals", name="0001_initial").delete()
    response = client.get("/readyz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["checks"]["migrations"] == "pending"
    assert "referrals.0001_initial" in body["pending"]


def test_health_endpoints_refuse_writes(client, db):
    assert client.post("/healthz").status_code == 405
