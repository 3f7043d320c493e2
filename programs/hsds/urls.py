from django.urls import path

from . import views

app_name = "hsds"

urlpatterns = [
    path("services/", views.ServiceList.as_view(), name="services"),
    path("services/<str:service_id>/", views.ServiceDetail.as_view(), name="service"),
]
