from django.urls import path

from . import views

app_name = "seeker_door"
urlpatterns = [
    path("my/sign-in/", views.sign_in, name="sign_in"),
    path("my/sign-in/code/", views.code, name="code"),
    path("my/sign-in/link/<str:token>/", views.link, name="link"),
    path("my/sign-out/", views.sign_out, name="sign_out"),
    # /my/referrals/ was the page of a seeker's linked account (referrals.views_seeker); this one serves both.
    path("my/referrals/", views.referrals, name="referrals"),
    path("my/referrals/<uuid:public_id>/", views.referral, name="referral"),
    path("my/referrals/<uuid:public_id>/answer/", views.answer, name="answer"),
    path("my/who-looked/", views.who_looked, name="who_looked"),
]
