from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core import outbox

        from . import signals

        # A channel that delivered a message about a referral: the history says so ("email sent").
        outbox.delivered.connect(signals.delivery_recorded, dispatch_uid="referrals.delivery_recorded")
        # Someone who left an organization loses their own grants on the referrals they made for it.
        from accounts import signals as accounts_signals

        accounts_signals.member_removed.connect(signals.member_removed, dispatch_uid="referrals.member_removed")
