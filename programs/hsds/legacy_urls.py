"""/api/v1/hsds/services/: where the HSDS export used to be (signed in only). It moved to the public HSDS API
at /hsds/; these addresses redirect there (301, query string kept) so that existing readers keep working."""

from django.urls import path
from django.views.generic import RedirectView

app_name = "hsds_legacy"

urlpatterns = [
    path(
        "services/",
        RedirectView.as_view(pattern_name="hsds:services", permanent=True, query_string=True),
        name="services",
    ),
    path(
        "services/<str:service_id>/",
        RedirectView.as_view(pattern_name="hsds:service", permanent=True, query_string=True),
        name="service",
    ),
]
