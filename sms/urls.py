from django.urls import path

from . import views, views_webhooks

app_name = "sms"
urlpatterns = [
    path("t/<str:token>/", views.short_link, name="short_link"),  # token: the short code, its secret
    path("sms/inbound/", views_webhooks.inbound_reply, name="inbound"),
    path("sms/status/", views_webhooks.delivery_status, name="status"),
]
