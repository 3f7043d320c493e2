from django.urls import path

from . import views

app_name = "sms"
urlpatterns = [
    path("t/<str:token>/", views.short_link, name="short_link"),  # token: the short code, its secret
]
