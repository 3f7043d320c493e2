from django.apps import AppConfig


class SeekerDoorConfig(AppConfig):
    """The seeker's own door: "My referrals" by a one-time sign-in link or code, without a password or an account
    (issue 16 items 3 and 4), and asking a program for help from the public directory (item 2)."""

    name = "seeker_door"
    verbose_name = "Seeker sign-in"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core import erasure
        from referrals import demo

        from . import services
        from .demo import seed_pending_request

        erasure.register(services.erase_person, name="seeker_door.contacts")

        if seed_pending_request not in demo.EXTRA_STEPS:
            demo.EXTRA_STEPS.append(seed_pending_request)
