from django.contrib.auth import views as auth_views
from django.urls import path

from . import views, views_organization as organization

app_name = "accounts"
urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/reset/", views.password_reset, name="password_reset"),
    path("accounts/password/reset/sent/", views.password_reset_done, name="password_reset_done"),
    path("accounts/password/reset/<uidb64>/<token>/", views.password_reset_confirm, name="password_reset_confirm"),
    path("accounts/password/reset/done/", views.password_reset_complete, name="password_reset_complete"),
    path("accounts/password/change/", views.password_change, name="password_change"),
    path("accounts/password/change/done/", views.password_change_done, name="password_change_done"),
    # The Organization pages: organization admins manage members, teams, program claimers and sharing.
    path("organization/", organization.home, name="organization"),
    path("organization/<uuid:organization_id>/members/", organization.members, name="organization_members"),
    path("organization/<uuid:organization_id>/members/<uuid:user_id>/role/", organization.member_role,
         name="organization_member_role"),
    path("organization/<uuid:organization_id>/members/<uuid:user_id>/remove/", organization.member_remove,
         name="organization_member_remove"),
    path("organization/<uuid:organization_id>/members/<uuid:user_id>/invite-again/", organization.member_invite_again,
         name="organization_member_invite_again"),
    path("organization/<uuid:organization_id>/teams/", organization.teams, name="organization_teams"),
    path("organization/<uuid:organization_id>/teams/<uuid:team_id>/rename/", organization.team_rename,
         name="organization_team_rename"),
    path("organization/<uuid:organization_id>/teams/<uuid:team_id>/sharing/", organization.team_sharing,
         name="organization_team_sharing"),
    path("organization/<uuid:organization_id>/teams/<uuid:team_id>/members/", organization.team_member_add,
         name="organization_team_member_add"),
    path("organization/<uuid:organization_id>/teams/<uuid:team_id>/members/<uuid:user_id>/remove/",
         organization.team_member_remove, name="organization_team_member_remove"),
    path("organization/<uuid:organization_id>/programs/", organization.programs, name="organization_programs"),
    path("organization/programs/<uuid:program_id>/claimers/", organization.program_claimer_add,
         name="organization_program_claimer_add"),
    path("organization/programs/<uuid:program_id>/claimers/<uuid:user_id>/remove/",
         organization.program_claimer_remove, name="organization_program_claimer_remove"),
    path("organization/programs/<uuid:program_id>/sharing/", organization.program_sharing,
         name="organization_program_sharing"),
]
