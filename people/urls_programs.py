"""The programs pages under their one URL namespace, ``programs:``: finding programs for a person and
connecting them (here, in people: they reach referrals), and the claimers' listing page (programs)."""

from django.urls import path

from programs import views_claimer

from . import views_programs

app_name = "programs"
urlpatterns = [
    # Program search and the Connect form (web-a).
    path("programs/", views_programs.search, name="search"),
    path("programs/<uuid:public_id>/connect/", views_programs.connect, name="connect"),
    path("programs/<uuid:public_id>/forward/", views_programs.forward, name="forward"),
    # Program listing for claimers (web-b).
    path("programs/<uuid:public_id>/manage/", views_claimer.manage, name="manage"),
    path("programs/<uuid:public_id>/manage/questions/", views_claimer.questions, name="questions"),
]
