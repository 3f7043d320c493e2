"""/hsds/: the directory as the HSDS 3.0 API (public, read-only). Paths as Open Referral's openapi.json has
them, without a trailing slash."""

from django.urls import path

from . import views

app_name = "hsds"

urlpatterns = [
    path("", views.Metadata.as_view(), name="metadata"),
    path("openapi.json", views.OpenAPI.as_view(), name="openapi"),
    path("services", views.ServiceList.as_view(), name="services"),
    path("services/<str:service_id>", views.ServiceDetail.as_view(), name="service"),
    path("organizations", views.OrganizationList.as_view(), name="organizations"),
    path("organizations/<str:provider_id>", views.OrganizationDetail.as_view(), name="organization"),
    path("service_at_locations", views.ServiceAtLocationList.as_view(), name="service_at_locations"),
    path(
        "service_at_locations/<str:service_at_location_id>",
        views.ServiceAtLocationDetail.as_view(),
        name="service_at_location",
    ),
    path("taxonomies", views.TaxonomyList.as_view(), name="taxonomies"),
    path("taxonomies/<str:taxonomy_id>", views.TaxonomyDetail.as_view(), name="taxonomy"),
    path("taxonomy_terms", views.TaxonomyTermList.as_view(), name="taxonomy_terms"),
    path("taxonomy_terms/<str:taxonomy_term_id>", views.TaxonomyTermDetail.as_view(), name="taxonomy_term"),
]
