"""The browser's CSV export (its URL name keeps the ``exports:`` namespace it had in the API app)."""

from django.urls import path

from . import views_export

app_name = "exports"

urlpatterns = [
    path("exports/referrals.csv", views_export.referral_export, name="referrals-csv"),
]
