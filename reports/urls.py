from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.organization, name="organization"),
    path("network/", views.network, name="network"),
    path("network/<slug:section>.csv", views.network_csv, name="network_csv"),
    path("<slug:section>.csv", views.organization_csv, name="organization_csv"),
]
