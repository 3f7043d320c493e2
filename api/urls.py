"""/api/v1/. Path parameters are <uuid:...>: anything else is a 404 before a view runs."""

from django.urls import path

from . import views

app_name = "api"

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("programs/", views.ProgramList.as_view(), name="programs"),
    path("programs/<uuid:program_id>/", views.ProgramDetail.as_view(), name="program"),
    path("seekers/", views.SeekerList.as_view(), name="seekers"),
    path("seekers/<uuid:seeker_id>/", views.SeekerDetail.as_view(), name="seeker"),
    path("seekers/<uuid:seeker_id>/goals/", views.SeekerGoals.as_view(), name="seeker-goals"),
    path("referrals/", views.ReferralList.as_view(), name="referrals"),
    path("referrals/<uuid:referral_id>/", views.ReferralDetail.as_view(), name="referral"),
    path("referrals/<uuid:referral_id>/status/", views.ReferralStatus.as_view(), name="referral-status"),
    path("referrals/<uuid:referral_id>/forward/", views.ReferralForward.as_view(), name="referral-forward"),
    path("referrals/<uuid:referral_id>/notes/", views.ReferralNotes.as_view(), name="referral-notes"),
    path(
        "referrals/<uuid:referral_id>/notes/<uuid:note_id>/", views.ReferralNoteDetail.as_view(), name="referral-note"
    ),
    path("referrals/<uuid:referral_id>/history/", views.ReferralHistory.as_view(), name="referral-history"),
    path("exports/referrals.csv", views.ReferralExport.as_view(), name="export-referrals"),
]
