from django.apps import AppConfig


class FindConfig(AppConfig):
    """The public directory (/find/): programs and their organizations for anyone, without signing in."""

    name = "find"
    verbose_name = "Public directory"

    def ready(self):
        from . import cache

        cache.connect()
