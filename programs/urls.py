from django.urls import path

from . import views

app_name = "programs"
urlpatterns = [
    # Program search and the Connect form (web-a).
    path("programs/", views.search, name="search"),
    path("programs/<uuid:public_id>/connect/", views.connect, name="connect"),
]
