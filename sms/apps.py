from django.apps import AppConfig


class SmsConfig(AppConfig):
    name = "sms"
    verbose_name = "Text messages"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.core.signals import setting_changed

        from core import erasure, outbox
        from referrals import events

        from . import services

        outbox.register(services.SMS)
        # Texts hear of every recorded change and the follow-up step, inside the change's transaction.
        events.subscribe(
            events.HISTORY_EVENT, services.notify_referral_event, phase=events.Phase.IN_TRANSACTION, name="sms.text"
        )
        events.subscribe(
            events.ESCALATION_STEP,
            services.notify_escalation_step,
            phase=events.Phase.IN_TRANSACTION,
            name="sms.text.escalation",
        )
        # The text rows are erased by the core's scrubber (SMS declares its personal columns); the short links
        # name the person's referrals: they go too.
        erasure.register(services.erase_short_links, name="sms.short_links")
        setting_changed.connect(_forget_backends, dispatch_uid="sms.backends")


def _forget_backends(setting, **kwargs):
    if setting in ("SMS_BACKEND", "SMS_TIMEOUT") or setting.startswith("TWILIO_"):
        from . import backends

        backends.reset_backends()
