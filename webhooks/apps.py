from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core import outbox
        from referrals import events

        from . import services

        outbox.register(services.WEBHOOKS)
        # Each recorded change becomes a delivery row per endpoint, inside the change's transaction.
        events.subscribe(events.HISTORY_EVENT, services.webhook_event_record,
                         phase=events.Phase.IN_TRANSACTION, name="webhooks")
