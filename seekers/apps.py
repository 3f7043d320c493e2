from django.apps import AppConfig


class SeekersConfig(AppConfig):
    name = "seekers"
    default_auto_field = "django.db.models.BigAutoField"
