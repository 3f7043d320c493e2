"""The project's URLs plus the floor views the measurements compare each page with."""

from django.urls import include, path

from . import floors

urlpatterns = [
    path("__floor__/", include(floors.urlpatterns)),
    path("", include("referrals_site.urls")),
]
