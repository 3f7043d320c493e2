from django.urls import path

from . import views

app_name = "webhooks"

urlpatterns = [
    path("settings/webhooks/", views.endpoint_list, name="list"),
    path("settings/webhooks/<uuid:public_id>/", views.endpoint_detail, name="detail"),
    path("settings/webhooks/<uuid:public_id>/<slug:action>/", views.endpoint_action, name="action"),
]
