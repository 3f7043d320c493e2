"""gunicorn's settings, read from the working directory (the image's /app): its log lines are JSON objects,
one per line, like the app's (ops.logging). Worker count comes from WEB_CONCURRENCY, the rest from the
command line (Dockerfile, docker-compose.yml). Each worker tunes Python's garbage collector once the app is
loaded (ops.gc_tuning, ``post_worker_init``)."""

from ops.gc_tuning import tune_for_requests
from ops.logging import gunicorn_logging_config
from referrals_site.settings.environment import env_choice

logconfig_dict = gunicorn_logging_config(
    env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"))
)
accesslog = None


def post_worker_init(worker):
    tune_for_requests()
