"""gunicorn's settings, read from the working directory (the image's /app): its log lines are JSON objects,
one per line, like the app's (ops.logging). Worker count comes from WEB_CONCURRENCY, the rest from the
command line (Dockerfile, docker-compose.yml)."""

from ops.logging import gunicorn_logging_config
from referrals_site.settings.environment import env_choice

logconfig_dict = gunicorn_logging_config(
    env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"))
)
accesslog = None
