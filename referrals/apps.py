from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core import erasure, outbox

        from . import inbound_cache, signals

        # A channel that delivered a message about a referral: the history says so ("email sent").
        outbox.delivered.connect(signals.delivery_recorded, dispatch_uid="referrals.delivery_recorded")
        # Someone who left an organization loses their own grants on the referrals they made for it.
        from accounts import signals as accounts_signals

        accounts_signals.member_removed.connect(signals.member_removed, dispatch_uid="referrals.member_removed")
        # An erased person's notes and their traces in the history are scrubbed with the rest of the erasure.
        from privacy import signals as privacy_signals

        privacy_signals.seeker_erasing.connect(signals.seeker_erasing, dispatch_uid="referrals.seeker_erasing")
        # An erased person's name is on the cached Inbound Referrals pages of every program they were referred
        # to: those pages are not served again (they expire from the cache within INBOUND_PAGE_CACHE_SECONDS).
        erasure.register(
            lambda person: inbound_cache.programs_changed(person.program_ids), name="referrals.inbound_cache"
        )
        # The admin's log names the person's referrals and notes.
        erasure.register(signals.erase_admin_log, name="referrals.admin_log")
