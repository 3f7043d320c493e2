from django.urls import path

from . import live, views_inbound

app_name = "referrals"
urlpatterns: list = []

# Inbound Referrals and live status (web-b).
urlpatterns += [
    path("inbound/", views_inbound.inbound, name="inbound"),
    path("inbound/rows/", views_inbound.inbound_rows, name="inbound_rows"),
    path("inbound/<uuid:public_id>/assign/", views_inbound.assign, name="assign"),
    path("live/", live.live_view, name="live"),
]
