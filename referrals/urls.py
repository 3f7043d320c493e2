from django.urls import path

from . import views

app_name = "referrals"
urlpatterns = [
    # The referral page and its actions (web-a).
    path("referrals/<uuid:public_id>/", views.detail, name="detail"),
    path("referrals/<uuid:public_id>/status/", views.change_status, name="status"),
    path("referrals/<uuid:public_id>/reopen/", views.reopen, name="reopen"),
    path("referrals/<uuid:public_id>/notes/", views.add_note, name="add_note"),
    path("referrals/<uuid:public_id>/notes/<uuid:note_id>/delete/", views.delete_note, name="delete_note"),
    path("referrals/<uuid:public_id>/goal/", views.set_goal, name="set_goal"),
    path("referrals/<uuid:public_id>/consent/withdraw/", views.withdraw_consent, name="withdraw_consent"),
]
