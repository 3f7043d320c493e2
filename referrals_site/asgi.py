"""ASGI entry point. DJANGO_SETTINGS_MODULE must be set: there is no development fallback here."""

import os

from django.core.asgi import get_asgi_application
from django.core.exceptions import ImproperlyConfigured

if not os.environ.get("DJANGO_SETTINGS_MODULE"):
    raise ImproperlyConfigured("Set DJANGO_SETTINGS_MODULE (referrals_site.settings.prod in production).")

application = get_asgi_application()
