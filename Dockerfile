# The web app, the Celery worker and Celery beat all run this image (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=referrals_site.settings.prod \
    STATIC_ROOT=/app/staticfiles \
    PORT=8000

# pg_dump/pg_restore for backups (scripts/backup-postgres.sh) from inside the stack.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY . .
RUN pip install . \
    && useradd --system --create-home --uid 10001 app

# Hashed, compressed static files for WhiteNoise. The production settings need a secret, hosts and their
# services named to load; these placeholders exist only for this build step (nothing connects to them) and
# are not in the final environment.
RUN SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost DATABASE_URL=postgres://collectstatic@localhost/none \
    REDIS_URL=redis://localhost:6379/0 SITE_URL=https://localhost ALLOW_CONSOLE_EMAIL=true \
    python manage.py collectstatic --noinput \
    && chown -R app:app /app/staticfiles

USER app
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 CMD ["python", "-m", "ops.healthcheck"]
# gunicorn reads WEB_CONCURRENCY (worker processes) and GUNICORN_CMD_ARGS from the environment. Its access
# log stays off: ops.middleware writes one JSON line per request, with the request id and duration.
CMD ["sh", "-c", "exec gunicorn referrals_site.wsgi --bind 0.0.0.0:${PORT} --max-requests 2000 --max-requests-jitter 200"]
