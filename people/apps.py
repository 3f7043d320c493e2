from django.apps import AppConfig


class PeopleConfig(AppConfig):
    """The pages about the people a helper helps: People I'm Helping, a seeker's profile (their goals, their
    referrals, the access record of the visit), finding programs for them and the Connect form that refers
    them. A page app on top of seekers, programs, goals, referrals and privacy.

    The URL names keep their namespaces (``seekers:``, ``goals:``, ``programs:``): links name what they
    show, whichever app serves them."""

    name = "people"
    default_auto_field = "django.db.models.BigAutoField"
