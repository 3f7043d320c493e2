from django.urls import path

from . import live, views, views_email_link, views_inbound, views_seeker, views_sent

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
    # Inbound Referrals and live status (web-b).
    path("inbound/", views_inbound.inbound, name="inbound"),
    path("inbound/rows/", views_inbound.inbound_rows, name="inbound_rows"),
    path("inbound/<uuid:public_id>/assign/", views_inbound.assign, name="assign"),
    path("inbound/<uuid:public_id>/status/", views_inbound.change_status, name="inbound_status"),
    path("live/", live.live_view, name="live"),
    # Sent referrals: the referrer's dashboard.
    path("sent/", views_sent.sent, name="sent"),
    path("sent/rows/", views_sent.sent_rows, name="sent_rows"),
    # A seeker's own page (fixes-web).
    path("my/referrals/", views_seeker.my_referrals, name="my_referrals"),
    path("my/referrals/<uuid:public_id>/status/", views_seeker.my_referral_status, name="my_referral_status"),
    # The answer page a signed link opens (the seeker's or a user's answers by email).
    path("r/<uuid:referral_public_id>/<str:token>/", views_email_link.email_link, name="email_link"),
]
