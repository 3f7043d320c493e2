"""Development: `make run`. Works with no configuration (SQLite, tasks in-process)."""

from .base import *  # noqa: F401,F403
from .environment import env_int, env_list, env_str

DEBUG = True
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-never-use-in-production"  # noqa: F405
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")

# No Redis, no beat: the development server runs the beat's sweeps itself once a minute, so a demo left open
# escalates and expires as production does (ops/management/commands/runserver.py).
SWEEPS_IN_PROCESS_SECONDS = env_int("SWEEPS_IN_PROCESS_SECONDS", 0 if REDIS_URL else 60)  # noqa: F405
# `make run PORT=8001` serves on that port: the links in emails follow, unless SITE_URL says otherwise.
SITE_URL = env_str("SITE_URL") or f"http://127.0.0.1:{env_str('PORT', '8000')}"
