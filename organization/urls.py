from django.urls import path

from . import views

app_name = "organization"
urlpatterns = [
    # The Organization pages: organization admins manage members, teams, program claimers and sharing.
    path("organization/", views.home, name="home"),
    path("organization/<uuid:organization_id>/members/", views.members, name="members"),
    path("organization/<uuid:organization_id>/members/<uuid:user_id>/role/", views.member_role, name="member_role"),
    path(
        "organization/<uuid:organization_id>/members/<uuid:user_id>/remove/", views.member_remove, name="member_remove"
    ),
    path(
        "organization/<uuid:organization_id>/members/<uuid:user_id>/invite-again/",
        views.member_invite_again,
        name="member_invite_again",
    ),
    path(
        "organization/<uuid:organization_id>/invitations/<uuid:invitation_id>/cancel/",
        views.invitation_cancel,
        name="invitation_cancel",
    ),
    # Someone invited (who already has an account) accepts, signed in as that account.
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("organization/<uuid:organization_id>/teams/", views.teams, name="teams"),
    path("organization/<uuid:organization_id>/teams/<uuid:team_id>/rename/", views.team_rename, name="team_rename"),
    path("organization/<uuid:organization_id>/teams/<uuid:team_id>/sharing/", views.team_sharing, name="team_sharing"),
    path(
        "organization/<uuid:organization_id>/teams/<uuid:team_id>/members/",
        views.team_member_add,
        name="team_member_add",
    ),
    path(
        "organization/<uuid:organization_id>/teams/<uuid:team_id>/members/<uuid:user_id>/remove/",
        views.team_member_remove,
        name="team_member_remove",
    ),
    path("organization/<uuid:organization_id>/programs/", views.programs, name="programs"),
    path("organization/programs/<uuid:program_id>/claimers/", views.program_claimer_add, name="program_claimer_add"),
    path(
        "organization/programs/<uuid:program_id>/claimers/<uuid:user_id>/remove/",
        views.program_claimer_remove,
        name="program_claimer_remove",
    ),
    path("organization/programs/<uuid:program_id>/sharing/", views.program_sharing, name="program_sharing"),
]
