from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core import erasure, outbox
        from referrals import events

        from . import services

        outbox.register(services.WEBHOOKS)
        erasure.register(services.webhook_deliveries_erase_person)
        # Each recorded change becomes a delivery row per endpoint, inside the change's transaction.
        events.subscribe(
            events.HISTORY_EVENT, services.webhook_event_record, phase=events.Phase.IN_TRANSACTION, name="webhooks"
        )
