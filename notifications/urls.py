from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("dev/mailbox/", views.mailbox, name="mailbox"),
    path("dev/mailbox/<uuid:public_id>/", views.mailbox_message, name="mailbox_message"),
    path("dev/mailbox/<uuid:public_id>/html/", views.mailbox_message_html, name="mailbox_message_html"),
]
