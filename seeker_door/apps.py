from django.apps import AppConfig


class SeekerDoorConfig(AppConfig):
    """The seeker's own door: "My referrals" by a one-time sign-in link or code, without a password or an account
    (issue 16 items 3 and 4)."""

    name = "seeker_door"
    verbose_name = "Seeker sign-in"
    default_auto_field = "django.db.models.BigAutoField"
