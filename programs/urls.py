from django.urls import path

from . import views, views_claimer

app_name = "programs"
urlpatterns = [
    # Program search and the Connect form (web-a).
    path("programs/", views.search, name="search"),
    path("programs/<uuid:public_id>/connect/", views.connect, name="connect"),
    # Program listing for claimers (web-b).
    path("programs/<uuid:public_id>/manage/", views_claimer.manage, name="manage"),
]
