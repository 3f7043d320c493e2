from django.urls import path

from . import views_claimer

app_name = "programs"
urlpatterns: list = []

# Program listing for claimers (web-b).
urlpatterns += [
    path("programs/<uuid:public_id>/manage/", views_claimer.manage, name="manage"),
]
