from django.urls import include, path

from . import views

app_name = "organization"

# One organization's pages (organization/<organization_id>/…): its members and invitations, teams and programs.
organization_pages = [
    path("members/", views.members, name="members"),
    path("members/<uuid:user_id>/role/", views.member_role, name="member_role"),
    path("members/<uuid:user_id>/remove/", views.member_remove, name="member_remove"),
    path("members/<uuid:user_id>/invite-again/", views.member_invite_again, name="member_invite_again"),
    path("invitations/<uuid:invitation_id>/cancel/", views.invitation_cancel, name="invitation_cancel"),
    path("teams/", views.teams, name="teams"),
    path("teams/<uuid:team_id>/rename/", views.team_rename, name="team_rename"),
    path("teams/<uuid:team_id>/sharing/", views.team_sharing, name="team_sharing"),
    path("teams/<uuid:team_id>/members/", views.team_member_add, name="team_member_add"),
    path("teams/<uuid:team_id>/members/<uuid:user_id>/remove/", views.team_member_remove, name="team_member_remove"),
    path("programs/", views.programs, name="programs"),
]

# One program's claimers and sharing (organization/programs/<program_id>/…), for its organization's admins.
program_pages = [
    path("claimers/", views.program_claimer_add, name="program_claimer_add"),
    path("claimers/<uuid:user_id>/remove/", views.program_claimer_remove, name="program_claimer_remove"),
    path("sharing/", views.program_sharing, name="program_sharing"),
]

urlpatterns = [
    # The Organization pages: organization admins manage members, teams, program claimers and sharing.
    path("organization/", views.home, name="home"),
    path("organization/<uuid:organization_id>/", include(organization_pages)),
    path("organization/programs/<uuid:program_id>/", include(program_pages)),
    # Someone invited (who already has an account) accepts, signed in as that account.
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
