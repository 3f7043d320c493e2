from django.apps import AppConfig


class FhirApiConfig(AppConfig):
    name = "fhir_api"
    verbose_name = "FHIR"
    default_auto_field = "django.db.models.BigAutoField"
