from django.urls import path

from . import views, views_ask

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
    # Asking a program for help from its public page (a self-referral), under the directory's addresses.
    path("find/programs/<uuid:public_id>/ask/", views_ask.ask, name="ask"),
    path("find/programs/<uuid:public_id>/ask/code/", views_ask.code, name="ask_code"),
    path("find/programs/<uuid:public_id>/asked/", views_ask.asked, name="asked"),
    path("find/ask/<str:token>/", views_ask.link, name="ask_link"),
]
