"""Adding, renaming, closing and reopening a seeker's goals, from the seeker's profile."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.selectors import member_organization_ids
from core.errors import ApplicationError, NotAllowed
from goals.forms import GoalForm
from goals.models import Goal
from goals.services import goal_close, goal_create, goal_rename, goal_reopen
from seekers.models import Seeker

from .views import get_seeker_or_404, render_profile


def get_goal_or_404(user, public_id) -> Goal:
    try:
        return (
            Goal.objects.for_organizations(member_organization_ids(user))
            .filter(seeker__in=Seeker.objects.restrict(user, "view"))
            .select_related("seeker")
            .get(public_id=public_id)
        )
    except Goal.DoesNotExist:
        raise Http404("No such goal.") from None


def _back_to_profile(seeker):
    return redirect(reverse("seekers:profile", kwargs={"public_id": seeker.public_id}) + "#goals")


def _refuse(request, error: ApplicationError):
    if isinstance(error, NotAllowed):
        raise error  # Django's PermissionDenied too: 403
    messages.error(request, error.message)


@login_required
@require_POST
def create(request, public_id):
    seeker = get_seeker_or_404(request.user, public_id)
    form = GoalForm(request.POST)
    if not form.is_valid():
        return render_profile(request, seeker, goal_form=form, status=400)
    try:
        goal = goal_create(actor=request.user, seeker=seeker, title=form.cleaned_data["title"])
    except ApplicationError as error:
        _refuse(request, error)
    else:
        messages.success(request, f"Added the goal “{goal.title}”.")
    return _back_to_profile(seeker)


@login_required
@require_POST
def rename(request, public_id):
    goal = get_goal_or_404(request.user, public_id)
    form = GoalForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["title"]))
        return _back_to_profile(goal.seeker)
    try:
        goal_rename(actor=request.user, goal=goal, title=form.cleaned_data["title"])
    except ApplicationError as error:
        _refuse(request, error)
    else:
        messages.success(request, f"Renamed the goal to “{goal.title}”.")
    return _back_to_profile(goal.seeker)


def _set_goal_status(request, public_id, change, done: str):
    """Close or reopen: the same steps, through the given service."""
    goal = get_goal_or_404(request.user, public_id)
    try:
        change(actor=request.user, goal=goal)
    except ApplicationError as error:
        _refuse(request, error)
    else:
        messages.success(request, f"{done} the goal “{goal.title}”.")
    return _back_to_profile(goal.seeker)


@login_required
@require_POST
def close(request, public_id):
    return _set_goal_status(request, public_id, goal_close, "Closed")


@login_required
@require_POST
def reopen(request, public_id):
    return _set_goal_status(request, public_id, goal_reopen, "Reopened")
