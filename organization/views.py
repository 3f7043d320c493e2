"""The Organization pages: an organization admin manages its members, teams, program claimers and sharing.

Every page starts from the organizations the signed-in user administers (organization_administered_get):
another tenant's organization answers 404 as a missing one does, and a member who is not an admin gets
403. Teams, memberships and programs are then fetched from that organization, so an id of another
organization's object is not found either. Changes are POST only (CSRF-protected) and go through the
services, which check the rights again (NotAllowed: 403) and refuse bad input (core.errors.InvalidInput):
the page again with the message (400), nothing changed.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts import policies, services
from accounts.forms import MemberAddForm, PersonForm, RoleForm, SharingForm, TeamCreateForm, TeamRenameForm
from accounts.models import Invitation, Organization, Team
from accounts.selectors import (
    organization_admin_ids,
    organization_administered_get,
    organization_invitation,
    organization_invitations_open,
    organization_member_by_email,
    organization_member_people,
    organization_membership,
    organization_teams,
    organizations_administered_by,
)
from core.errors import InvalidInput
from core.forms import add_service_errors, error_messages
from core.pagination import CappedCountPaginator
from programs.models import Program
from programs.selectors import directory, program_claimer
from programs.services import (
    organization_program_add_claimer,
    organization_program_remove_claimer,
    organization_program_set_sharing,
)

from .selectors import organization_members, organization_programs

MEMBERS_PER_PAGE = 50
TEAMS_PER_PAGE = 20
PROGRAMS_PER_PAGE = 20
ORGANIZATIONS_PER_PAGE = 50


def _organization(request, public_id) -> Organization:
    try:
        return organization_administered_get(user=request.user, public_id=public_id)
    except Organization.DoesNotExist:
        if policies.is_member_of_public_id(request.user, public_id):
            raise PermissionDenied("Only the organization's admins manage its members, teams and sharing.") from None
        raise Http404("No such organization.") from None


def _refused(request, problems, page):
    """Bad input on one of the page's small forms: the page again with the message on top, status 400."""
    for problem in problems:
        messages.error(request, problem)
    response = page()
    response.status_code = 400
    return response


def _posted_member(request, organization):
    """(the member of ``organization`` the posted form names by email, []) or (None, why there is none): only
    the organization's own people may join its teams or claim its programs."""
    form = PersonForm(request.POST)
    if not form.is_valid():
        return None, error_messages(form.errors)
    user = organization_member_by_email(organization, form.cleaned_data["email"])
    if user is None:
        return None, [
            f"No member of {organization.name} has the email {form.cleaned_data['email']}. "
            "Add them on the Members page first."
        ]
    return user, []


def _add_posted_member(request, organization, add, *, page):
    """The member the posted form names, given to ``add(user)`` (a service adding them to a team or a program's
    claimers): (user, None) when done, or (None, the page again with why not, 400) for bad input, from the
    form or the service, with nothing changed."""
    user, problems = _posted_member(request, organization)
    if user is None:
        return None, _refused(request, problems, page)
    try:
        add(user)
    except InvalidInput as error:
        return None, _refused(request, error_messages(error), page)
    return user, None


def _has_programs(organization) -> bool:
    return Program.objects.for_organization(organization).exists()


def _context(request, organization, section: str, **extra) -> dict:
    return {
        "organization": organization,
        "section": section,
        "has_programs": _has_programs(organization),
        "other_organizations": organizations_administered_by(request.user).exclude(pk=organization.pk)[:1].exists(),
        **extra,
    }


@login_required
def home(request):
    """The organization's Members page, or a choice when the user administers several."""
    organizations = organizations_administered_by(request.user)
    page = CappedCountPaginator(organizations, ORGANIZATIONS_PER_PAGE).get_page(request.GET.get("page"))
    if not page.object_list:
        raise Http404("Only organization admins manage organizations.")
    if page.number == 1 and not page.has_next() and len(page.object_list) == 1:
        return redirect("organization:members", organization_id=page.object_list[0].public_id)
    return render(request, "organization/choose.html", {"page": page})


# ---------------------------------------------------------------------------------------------------------
# Members


def _members_page(request, organization, *, form=None, status=200):
    page = CappedCountPaginator(organization_members(organization), MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    admins = organization_admin_ids(organization)
    page.object_list = list(page.object_list)
    for membership in page.object_list:
        membership.is_only_admin = policies.is_only_admin(membership, admin_user_ids=admins)
    context = _context(
        request,
        organization,
        "members",
        page=page,
        form=form or MemberAddForm(),
        admin_count=len(admins),
        invitations=list(organization_invitations_open(organization)),
    )
    return render(request, "organization/members.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def members(request, organization_id):
    organization = _organization(request, organization_id)
    if request.method == "GET":
        return _members_page(request, organization)
    form = MemberAddForm(request.POST)
    if form.is_valid():
        try:
            added = services.organization_member_add(actor=request.user, organization=organization, **form.cleaned_data)
        except InvalidInput as error:
            add_service_errors(form, error)
        else:
            if added.invitation is not None:
                invitation = added.invitation
                messages.success(
                    request,
                    f"We emailed {invitation.email} an invitation to join {organization.name} "
                    f"as {invitation.get_role_display()}. They join when they accept it "
                    f"(it is open until {invitation.expires_at:%b %-d, %Y}); until then "
                    "nothing of theirs changes, and it is listed under Invitations.",
                )
            else:
                user = added.membership.user
                messages.success(
                    request,
                    f"Added {user.get_full_name()} as {added.membership.get_role_display()}. "
                    f"We emailed {user.email} a link to choose a password.",
                )
            return redirect("organization:members", organization_id=organization.public_id)
    return _members_page(request, organization, form=form, status=400)


def _membership(organization, user_id):
    membership = organization_membership(organization, user_id)
    if membership is None:
        raise Http404("No such member.")
    return membership


@login_required
@require_POST
def member_role(request, organization_id, user_id):
    organization = _organization(request, organization_id)
    membership = _membership(organization, user_id)
    form = RoleForm(request.POST)
    page = lambda: _members_page(request, organization)  # noqa: E731
    if not form.is_valid():
        return _refused(request, error_messages(form.errors), page)
    try:
        membership = services.organization_member_set_role(
            actor=request.user, organization=organization, user=membership.user, role=form.cleaned_data["role"]
        )
    except InvalidInput as error:
        return _refused(request, error_messages(error), page)
    name = membership.user.get_full_name()
    if membership.is_admin:
        messages.success(
            request,
            f"{name} is now an organization admin. They sign in again, with a second factor, to use their new rights.",
        )
    else:
        messages.success(request, f"{name} is now a worker.")
    if membership.user == request.user and not policies.can(request.user, "administer", organization):
        return redirect("accounts:home")  # no longer an admin: these pages are closed to them now
    return redirect("organization:members", organization_id=organization.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def member_remove(request, organization_id, user_id):
    """GET: the confirmation page. POST: the removal."""
    organization = _organization(request, organization_id)
    membership = _membership(organization, user_id)
    if request.method == "GET":
        return render(
            request,
            "organization/member_remove.html",
            _context(
                request,
                organization,
                "members",
                membership=membership,
                member=organization_members(organization).get(pk=membership.pk),
            ),
        )
    try:
        services.organization_member_remove(actor=request.user, organization=organization, user=membership.user)
    except InvalidInput as error:
        return _refused(request, error_messages(error), lambda: _members_page(request, organization))
    messages.success(request, f"Removed {membership.user.get_full_name()} from {organization.name}.")
    if membership.user == request.user and not policies.can(request.user, "administer", organization):
        return redirect("accounts:home")  # no longer a member: these pages are closed to them now
    return redirect("organization:members", organization_id=organization.public_id)


@login_required
@require_POST
def member_invite_again(request, organization_id, user_id):
    organization = _organization(request, organization_id)
    membership = _membership(organization, user_id)
    try:
        services.organization_member_invite_again(actor=request.user, organization=organization, user=membership.user)
    except InvalidInput as error:
        return _refused(request, error_messages(error), lambda: _members_page(request, organization))
    messages.success(request, f"We emailed {membership.user.email} a new link to choose a password.")
    return redirect("organization:members", organization_id=organization.public_id)


@login_required
@require_POST
def invitation_cancel(request, organization_id, invitation_id):
    organization = _organization(request, organization_id)
    invitation = organization_invitation(organization, invitation_id)
    if invitation is None:
        raise Http404("No such invitation.")
    try:
        services.organization_invitation_cancel(actor=request.user, invitation=invitation)
    except InvalidInput as error:
        return _refused(request, error_messages(error), lambda: _members_page(request, organization))
    messages.success(request, f"Cancelled the invitation of {invitation.email}. Its link opens nothing now.")
    return redirect("organization:members", organization_id=organization.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    """The link of an invitation email. A GET shows the invitation (mail scanners follow links); the button's
    POST accepts it. Only the invited account opens it (anyone else: 404); a used, cancelled, expired or
    altered link gets a page that says so (400), and changes nothing."""
    try:
        invitation = services.invitation_read(token=token, user=request.user)
        if request.method == "POST":
            accepted = services.invitation_accept(user=request.user, token=token)
            return render(
                request,
                "organization/invitation.html",
                {
                    "invitation": invitation,
                    "joined": True,
                    "membership": accepted.membership,
                    "changed": accepted.changed,
                    "signs_out": accepted.signs_out,
                },
            )
    except Invitation.DoesNotExist:
        raise Http404("No such invitation.") from None
    except services.InvitationError as error:
        return render(request, "organization/invitation.html", {"problem": error.message}, status=400)
    return render(
        request,
        "organization/invitation.html",
        {
            "invitation": invitation,
            "ends_tokens": services.invitation_ends_tokens(invitation),
            "signs_out": services.invitation_signs_out(invitation),
        },
    )


# ---------------------------------------------------------------------------------------------------------
# Teams


def _teams_page(request, organization, *, form=None, status=200):
    page = CappedCountPaginator(organization_teams(organization), TEAMS_PER_PAGE).get_page(request.GET.get("page"))
    context = _context(
        request,
        organization,
        "teams",
        page=page,
        form=form or TeamCreateForm(),
        people=organization_member_people(organization),
    )
    return render(request, "organization/teams.html", context, status=status)


def _team(organization, team_id) -> Team:
    try:
        return Team.objects.select_related("organization").get(organization=organization, public_id=team_id)
    except Team.DoesNotExist:
        raise Http404("No such team.") from None


def _to_teams(organization, team=None):
    url = reverse("organization:teams", kwargs={"organization_id": organization.public_id})
    return redirect(f"{url}#team-{team.public_id}" if team else url)


@login_required
@require_http_methods(["GET", "POST"])
def teams(request, organization_id):
    organization = _organization(request, organization_id)
    if request.method == "GET":
        return _teams_page(request, organization)
    form = TeamCreateForm(request.POST)
    if form.is_valid():
        try:
            team = services.organization_team_create(actor=request.user, organization=organization, **form.cleaned_data)
        except InvalidInput as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Created the team {team.name}. Add its members below.")
            return _to_teams(organization, team)
    return _teams_page(request, organization, form=form, status=400)


@login_required
@require_POST
def team_rename(request, organization_id, team_id):
    organization = _organization(request, organization_id)
    team = _team(organization, team_id)
    form = TeamRenameForm(request.POST)
    page = lambda: _teams_page(request, organization)  # noqa: E731
    if not form.is_valid():
        return _refused(request, error_messages(form.errors), page)
    old = team.name
    try:
        services.organization_team_rename(actor=request.user, team=team, name=form.cleaned_data["name"])
    except InvalidInput as error:
        return _refused(request, error_messages(error), page)
    messages.success(request, f"Renamed {old} to {team.name}.")
    return _to_teams(organization, team)


@login_required
@require_POST
def team_sharing(request, organization_id, team_id):
    organization = _organization(request, organization_id)
    team = _team(organization, team_id)
    form = SharingForm(request.POST)
    if not form.is_valid():
        return _refused(request, error_messages(form.errors), lambda: _teams_page(request, organization))
    services.organization_team_set_sharing(actor=request.user, team=team, shares_outbound=form.cleaned_value())
    if team.shares_outbound:
        messages.success(
            request,
            f"{team.name} now shares outbound referrals: its members see the referrals a "
            "member makes from now on. Referrals made before stay as they were.",
        )
    else:
        messages.success(
            request,
            f"{team.name} no longer shares outbound referrals made from now on. Referrals already shared stay shared.",
        )
    return _to_teams(organization, team)


@login_required
@require_POST
def team_member_add(request, organization_id, team_id):
    organization = _organization(request, organization_id)
    team = _team(organization, team_id)
    user, refusal = _add_posted_member(
        request,
        organization,
        lambda user: services.organization_team_add_member(actor=request.user, team=team, user=user),
        page=lambda: _teams_page(request, organization),
    )
    if refusal:
        return refusal
    messages.success(request, f"Added {user.get_full_name()} to {team.name}.")
    return _to_teams(organization, team)


@login_required
@require_POST
def team_member_remove(request, organization_id, team_id, user_id):
    organization = _organization(request, organization_id)
    team = _team(organization, team_id)
    row = team.memberships.select_related("user").filter(user__public_id=user_id).first()
    if row is None:
        raise Http404("No such team member.")
    services.organization_team_remove_member(actor=request.user, team=team, user=row.user)
    messages.success(request, f"Removed {row.user.get_full_name()} from {team.name}.")
    return _to_teams(organization, team)


# ---------------------------------------------------------------------------------------------------------
# Programs


def _programs_page(request, organization, *, status=200):
    page = CappedCountPaginator(organization_programs(organization), PROGRAMS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    people = list(organization_member_people(organization))
    context = _context(
        request, organization, "programs", page=page, people=people, member_ids={person.pk for person in people}
    )
    return render(request, "organization/programs.html", context, status=status)


@login_required
@require_http_methods(["GET"])
def programs(request, organization_id):
    return _programs_page(request, _organization(request, organization_id))


def _program(request, program_id) -> tuple[Organization, Program]:
    """The program and its organization, if the user administers that organization (404 otherwise, 403 for
    a member who is not an admin)."""
    program = directory().select_related("organization").filter(public_id=program_id).first()
    if program is None:
        raise Http404("No such program.")
    return _organization(request, program.organization.public_id), program


def _to_programs(organization, program):
    url = reverse("organization:programs", kwargs={"organization_id": organization.public_id})
    return redirect(f"{url}#program-{program.public_id}")


@login_required
@require_POST
def program_claimer_add(request, program_id):
    organization, program = _program(request, program_id)
    user, refusal = _add_posted_member(
        request,
        organization,
        lambda user: organization_program_add_claimer(actor=request.user, program=program, user=user),
        page=lambda: _programs_page(request, organization),
    )
    if refusal:
        return refusal
    messages.success(
        request, f"{user.get_full_name()} is now a claimer of {program.name}: they receive its inbound referrals."
    )
    return _to_programs(organization, program)


@login_required
@require_POST
def program_claimer_remove(request, program_id, user_id):
    organization, program = _program(request, program_id)
    row = program_claimer(program, user_id)
    if row is None:
        raise Http404("No such claimer.")
    organization_program_remove_claimer(actor=request.user, program=program, user=row.user)
    messages.success(request, f"{row.user.get_full_name()} is no longer a claimer of {program.name}.")
    return _to_programs(organization, program)


@login_required
@require_POST
def program_sharing(request, program_id):
    organization, program = _program(request, program_id)
    form = SharingForm(request.POST)
    if not form.is_valid():
        return _refused(request, error_messages(form.errors), lambda: _programs_page(request, organization))
    organization_program_set_sharing(actor=request.user, program=program, shares_outbound=form.cleaned_value())
    if program.shares_outbound:
        messages.success(
            request,
            f"{program.name} now shares the referrals its claimers make on its behalf "
            "from now on. Referrals made before stay as they were.",
        )
    else:
        messages.success(
            request,
            f"{program.name} no longer shares the referrals its claimers make from now on. "
            "Referrals already shared stay shared.",
        )
    return _to_programs(organization, program)
