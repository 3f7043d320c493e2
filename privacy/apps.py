from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Privacy and security"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .middleware import start_session

        user_logged_in.connect(start_session, dispatch_uid="privacy.start_session")
        # A new admin signs in again, with a second factor: sessions that began without one end on commit.
        from accounts import signals as accounts_signals

        from .accounts import sessions_end_on_promotion

        accounts_signals.admin_promoted.connect(sessions_end_on_promotion, dispatch_uid="privacy.admin_promoted")

        from core import erasure

        from . import services

        # The copies of an erased person that privacy looks after (core.erasure).
        for scrubber in (services.erase_account_records, services.erase_sign_in_logs, services.erase_admin_log,
                         services.erase_own_account):
            erasure.register(scrubber)
