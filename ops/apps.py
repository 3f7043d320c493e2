from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations: health and readiness checks, request ids, structured logs."""

    name = "ops"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import celery_signals  # noqa: F401  (carries request ids into Celery tasks)
