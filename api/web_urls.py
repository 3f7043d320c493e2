"""Web (session) URLs of the API app: the CSV export organization admins download from the dashboard."""

from django.urls import path

from . import web

app_name = "exports"

urlpatterns = [
    path("exports/referrals.csv", web.referral_export, name="referrals-csv"),
]
