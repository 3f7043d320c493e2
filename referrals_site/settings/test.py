"""Tests: PostgreSQL (DATABASE_URL, else the local server), SQLite only outside CI with a warning."""

import sys

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import BASE_DIR, sqlite_for_concurrent_use
from .environment import env_bool, env_str


def _local_postgres_reachable() -> bool:
    try:
        import psycopg2

        psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres", connect_timeout=2).close()
        return True
    except Exception:
        return False


SECRET_KEY = "test-secret-key"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]

if env_str("DATABASE_URL"):
    _url = env_str("DATABASE_URL")
elif _local_postgres_reachable():
    _url = "postgres://postgres@127.0.0.1:5432/referrals"
else:
    _url = f"sqlite:///{BASE_DIR / 'test.sqlite3'}"
    print("WARNING: PostgreSQL is not reachable; tests run on SQLite.", file=sys.stderr)

DATABASES = {"default": sqlite_for_concurrent_use(dj_database_url.parse(_url))}
if env_bool("CI") and DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("CI runs the suite on PostgreSQL only; set DATABASE_URL or start PostgreSQL.")

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = env_str("TEST_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
SMS_BACKEND = env_str("TEST_SMS_BACKEND", "sms.backends.LocmemBackend")
# Texts go out whatever the hour the suite runs; tests/sms/test_quiet_hours.py sets them.
SMS_QUIET_HOURS = "off"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
# The real-worker tests (tests/notifications/test_worker.py) start a worker with a Redis broker: email and
# webhooks through the one delivery core.
if env_str("TEST_CELERY_BROKER_URL"):
    CELERY_BROKER_URL = env_str("TEST_CELERY_BROKER_URL")
    CELERY_TASK_ALWAYS_EAGER = False
    NOTIFICATION_RETRY_BASE_SECONDS = 0.2
    NOTIFICATION_RETRY_MAX_SECONDS = 1
    WEBHOOK_RETRY_BASE_SECONDS = 0.2
    WEBHOOK_RETRY_MAX_SECONDS = 1
    SMS_RETRY_BASE_SECONDS = 0.2
    SMS_RETRY_MAX_SECONDS = 1

# Tests sign people in with force_login; two-factor enforcement for admins is switched on by the tests that
# are about it (tests/security/test_two_factor.py), so every other test can act as an organization admin.
MFA_REQUIRED_FOR_ADMINS = False

# The whole run is one client address sharing one cache: anonymous API counters would leak between tests.
# Tests of rate limiting set their own rates (tests/api/test_auth.py).
RATE_LIMITS = {  # noqa: F405
    **RATE_LIMITS,  # noqa: F405
    "api_anon": (100000, 60),
    "api_token": (100000, 60),
    "hsds": (100000, 60),
}
# Each test process keeps its own cache (throttle counters, cached sessions): a Redis cache shared through
# REDIS_URL would mix the xdist workers' state.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Scorecard tests count the figures on every view; tests/reports/test_scorecard_kept.py switches keeping on.
NETWORK_SCORECARD_SECONDS = 0
# Report tests compute the figures on every view; tests/reports/test_report_kept.py switches keeping on.
ORGANIZATION_REPORT_KEPT_SECONDS = 0
