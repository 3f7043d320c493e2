from django.urls import path

from . import views

app_name = "sms"
urlpatterns = [
    path("t/<str:code>/", views.short_link, name="short_link"),
]
