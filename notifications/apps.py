from django.apps import AppConfig
from django.core import checks


class NotificationsConfig(AppConfig):
    name = "notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core import outbox
        from referrals import events

        from . import services

        checks.register(check_retry_below_visibility_timeout)
        outbox.register(services.EMAIL)
        # Email hears of every recorded change and every escalation step, inside its transaction (outbox rows).
        events.subscribe(
            events.HISTORY_EVENT,
            services.notify_referral_event,
            phase=events.Phase.IN_TRANSACTION,
            name="notifications.email",
        )
        events.subscribe(
            events.ESCALATION_STEP,
            services.notify_escalation_step,
            phase=events.Phase.IN_TRANSACTION,
            name="notifications.email.escalation",
        )
        # People added to an organization hear of it (accounts sends these inside its transaction).
        from accounts import signals as accounts_signals

        accounts_signals.member_invited.connect(
            services.member_invited_received, dispatch_uid="notifications.member_invited"
        )
        accounts_signals.invitation_sent.connect(
            services.invitation_sent_received, dispatch_uid="notifications.invitation_sent"
        )
        accounts_signals.password_reset_requested.connect(
            services.password_reset_received, dispatch_uid="notifications.password_reset"
        )
        accounts_signals.email_change_requested.connect(
            services.email_change_received, dispatch_uid="notifications.email_change"
        )


def check_retry_below_visibility_timeout(app_configs=None, **kwargs):
    """A retry scheduled past the Redis visibility timeout would be delivered twice by the broker."""
    from django.conf import settings

    errors = []
    for name in ("CELERY_BROKER_TRANSPORT_OPTIONS", "CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS"):
        visibility = getattr(settings, name, {}).get("visibility_timeout")
        if visibility is None:
            errors.append(checks.Error(f"{name} needs a visibility_timeout.", id="notifications.E001"))
        elif settings.NOTIFICATION_RETRY_MAX_SECONDS >= visibility:
            errors.append(
                checks.Error(
                    f"NOTIFICATION_RETRY_MAX_SECONDS ({settings.NOTIFICATION_RETRY_MAX_SECONDS}) must be below "
                    f"{name}['visibility_timeout'] ({visibility}).",
                    id="notifications.E002",
                )
            )
    return errors
