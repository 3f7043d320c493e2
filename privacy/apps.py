from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Privacy and security"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .middleware import start_session

        user_logged_in.connect(start_session, dispatch_uid="privacy.start_session")
        # A role change ends the person's API tokens; a new admin also signs in again, with a second factor.
        from accounts import signals as accounts_signals

        from .accounts import sign_ins_end_on_role_change

        accounts_signals.role_changed.connect(sign_ins_end_on_role_change, dispatch_uid="privacy.role_changed")

        from core import erasure

        from . import services

        # The copies of an erased person that privacy looks after (core.erasure).
        for scrubber in (services.erase_account_records, services.erase_sign_in_logs, services.erase_admin_log,
                         services.erase_own_account):
            erasure.register(scrubber)
