from django.apps import AppConfig


class OrganizationConfig(AppConfig):
    """The Organization pages: an organization admin manages its members, teams, program claimers and
    sharing. A page app on top of accounts (people, teams) and programs (claims, sharing)."""

    name = "organization"
    default_auto_field = "django.db.models.BigAutoField"
