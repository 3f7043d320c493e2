from django.apps import AppConfig
from django.core import checks


class NotificationsConfig(AppConfig):
    name = "notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        checks.register(check_retry_below_visibility_timeout)


def check_retry_below_visibility_timeout(app_configs=None, **kwargs):
    """A retry scheduled past the Redis visibility timeout would be delivered twice by the broker."""
    from django.conf import settings

    errors = []
    for name in ("CELERY_BROKER_TRANSPORT_OPTIONS", "CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS"):
        visibility = getattr(settings, name, {}).get("visibility_timeout")
        if visibility is None:
            errors.append(checks.Error(f"{name} needs a visibility_timeout.", id="notifications.E001"))
        elif settings.NOTIFICATION_RETRY_MAX_SECONDS >= visibility:
            errors.append(checks.Error(
                f"NOTIFICATION_RETRY_MAX_SECONDS ({settings.NOTIFICATION_RETRY_MAX_SECONDS}) must be below "
                f"{name}['visibility_timeout'] ({visibility}).", id="notifications.E002"))
    return errors
