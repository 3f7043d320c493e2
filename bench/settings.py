"""Settings of the in-process measurements: the project's own, on the benchmark database, DEBUG off.

The throughput run does not use these: it starts gunicorn with referrals_site.settings.prod (bench/run.sh).
"""

import os

import dj_database_url

from referrals_site.settings.base import *  # noqa: F401,F403
from referrals_site.settings.base import BASE_DIR, TEMPLATES

DEBUG = False
SECRET_KEY = "bench-only-secret-key-not-for-production-use-0123456789"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/rn_bench"), conn_max_age=600
    )
}
# The project's URLs plus the floor views (bench/urls.py), through the same middleware.
ROOT_URLCONF = "bench.urls"
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# The measured organization admin opens reports without the second sign-in step: the step is not measured.
MFA_REQUIRED_FOR_ADMINS = False
# As in production (referrals_site/settings/prod.py).
DATABASES["default"]["OPTIONS"] = {"options": "-c jit=off -c max_parallel_workers_per_gather=0"}
# The pages are timed as rendered from the database: a reused Inbound Referrals page (referrals/inbound_cache.py)
# would time the cache. bench/throughput.py measures Inbound with the cache on and off, and bench/measure.py's
# "inbound_cached" the reused page in process. The organization report is measured both ways (its figures kept while
# they hold, and counted on every view: bench/measure.py's "report" and "report_counted" cases).
INBOUND_PAGE_CACHE_SECONDS = 0
# Likewise the public directory's pages (find/cache.py): measured as rendered, not as reused, unless
# BENCH_FIND_PAGE_CACHE_SECONDS says otherwise (to time the pages as kept).
FIND_PAGE_CACHE_SECONDS = int(os.environ.get("BENCH_FIND_PAGE_CACHE_SECONDS", "0"))
