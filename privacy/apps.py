from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """A seeker's data rights: the access records every page that shows a person writes, the export, erasure
    and retention. Sign-in, second factors and sessions are in ``security``."""

    name = "privacy"
    verbose_name = "Privacy and data rights"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core import erasure

        from . import services

        # The copies of an erased person that privacy looks after (core.erasure).
        for scrubber in (services.erase_account_records, services.erase_admin_log, services.erase_own_account):
            erasure.register(scrubber)
