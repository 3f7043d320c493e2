"""Production. Refuses to start without the secrets and hosts it needs."""

from django.core.exceptions import ImproperlyConfigured

from ops.logging import json_logging_config

from .base import *  # noqa: F401,F403
from .base import ALLOWED_HOSTS, LOG_LEVEL, SECRET_KEY
from .environment import env_bool, env_int, env_str, is_set

DEBUG = False
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in production.")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production.")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True

# Load balancers and the container health check may ask over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# Persistent connections, checked before reuse (a restarted database does not break the first request).
DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60)  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405

# Sessions stay in the database (they survive a Redis restart) and are read through the shared cache.
if CACHE_URL:  # noqa: F405
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# One JSON object per log line on stderr, each with the request id (see ops.logging).
LOGGING = json_logging_config(LOG_LEVEL)

# SMTP (Mailpit in the compose stack, or a relay); an anymail EMAIL_BACKEND ignores these.
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)

# PostgreSQL's default join collapse limits (8) are kept. Sessions 1-3 raised them to 12 for list queries that
# joined a referral to eight tables beside the visibility subquery; the lists now choose a page's ids by a narrow
# query and join only those rows, and at 12 the planner spent 35-50 ms planning the referral page's and the API
# list's joins that run in under 3 ms (bench/NOTES.md, issue 18).
# JIT off: the pages' queries read a few thousand rows at most, but a cost estimate over a million-row table
# crosses jit_above_cost and compiling the plan then takes longer (~90 ms on Inbound Referrals) than running it.
# No parallel workers for a page's query: starting them cost ~4 ms on a query that runs in 1 (People I'm
# Helping's count), and under load every core is already busy serving other requests.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (  # noqa: F405
        "-c jit=off -c max_parallel_workers_per_gather=0"
    )
# Never fall back to development defaults (base.py's SQLite file, in-process tasks, console email, links to
# http://127.0.0.1:8000): production names each of these, or refuses to start.
_MISSING = [name for name in ("DATABASE_URL", "REDIS_URL", "SITE_URL") if not is_set(name)]
if _MISSING:
    raise ImproperlyConfigured(f"{', '.join(_MISSING)} must be set in production.")
if SMS_BACKEND == "sms.backends.TwilioBackend":  # noqa: F405
    _TWILIO_MISSING = [name for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN") if not is_set(name)]
    if not (is_set("TWILIO_FROM_NUMBER") or is_set("TWILIO_MESSAGING_SERVICE_SID")):
        _TWILIO_MISSING.append("TWILIO_FROM_NUMBER (or TWILIO_MESSAGING_SERVICE_SID)")
    if _TWILIO_MISSING:
        raise ImproperlyConfigured(f"SMS_BACKEND is Twilio: {', '.join(_TWILIO_MISSING)} must be set.")
_DEVELOPMENT_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}
_EMAIL_DOES_NOT_DELIVER = EMAIL_BACKEND in _DEVELOPMENT_EMAIL_BACKENDS or not is_set("EMAIL_BACKEND")  # noqa: F405
if _EMAIL_DOES_NOT_DELIVER and not env_bool("ALLOW_CONSOLE_EMAIL", False):
    raise ImproperlyConfigured(
        "EMAIL_BACKEND must name a backend that delivers mail in production (SMTP or django-anymail); set "
        "ALLOW_CONSOLE_EMAIL=true to print mail to the log on purpose."
    )
