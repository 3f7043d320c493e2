from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core import erasure, outbox

        from . import inbound_cache, signals

        # A channel that delivered a message about a referral: the history says so ("email sent").
        outbox.delivered.connect(signals.delivery_recorded, dispatch_uid="referrals.delivery_recorded")
        # An erased person's name is on the cached Inbound Referrals pages of every program they were referred
        # to: those pages are not served again (they expire from the cache within INBOUND_PAGE_CACHE_SECONDS).
        erasure.register(lambda person: inbound_cache.programs_changed(person.program_ids),
                         name="referrals.inbound_cache")
