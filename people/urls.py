from django.urls import path

from . import views

app_name = "seekers"
urlpatterns = [
    path("people/", views.people, name="people"),
    path("people/new/", views.create, name="create"),
    path("people/<uuid:public_id>/", views.profile, name="profile"),
    path("people/<uuid:public_id>/edit/", views.edit, name="edit"),
    path("people/<uuid:public_id>/referrals/<uuid:referral_id>/", views.profile_referral, name="referral"),
    path("people/<uuid:public_id>/referrals/outbound/", views.outbound_list, name="outbound_list"),
    path("people/<uuid:public_id>/referrals/inbound/", views.inbound_list, name="inbound_list"),
]
