"""Finding programs for a seeker, and the Connect form that refers them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from core.pagination import CappedCountPaginator, capped_count
from goals.models import Goal
from programs.models import Program
from programs.selectors import UnknownZipCode, age_on, program_get, program_search
from referrals.errors import DuplicateOpenReferral, NotAllowed, ReferralError
from referrals.policies import may_see
from referrals.selectors import open_referrals_to_programs
from referrals.services import referral_create
from seekers.models import Seeker

from .forms_programs import ConnectForm, ProgramSearchForm

PROGRAMS_PER_PAGE = 20


def _seeker_from_query(request) -> Seeker | None:
    """The seeker named by ?seeker=<uuid>, if this user helps them; 404 otherwise."""
    public_id = request.GET.get("seeker", "").strip()
    if not public_id:
        return None
    try:
        return Seeker.objects.restrict(request.user, "view").get(public_id=public_id)
    except (Seeker.DoesNotExist, ValidationError, ValueError):
        raise Http404("No such person.") from None


def _mark_open_referrals(user, seeker, programs) -> None:
    """Programs the seeker already has an open referral to offer that referral instead of a second one (a
    colleague's the user may not see is only mentioned, not linked)."""
    open_referrals = open_referrals_to_programs(user, seeker=seeker, program_ids=[program.pk for program in programs])
    for program in programs:
        program.has_open_referral = program.pk in open_referrals
        program.open_referral_id = open_referrals.get(program.pk)


@login_required
@require_GET
def search(request):
    seeker = _seeker_from_query(request)
    data = request.GET.copy()
    if seeker is not None and "zip" not in data:
        data["zip"] = seeker.zip_code
    form = ProgramSearchForm(data)
    seeker_age = age_on(seeker.date_of_birth) if seeker else None
    page, hidden_ineligible, hidden_ineligible_more, unplaced_zip = None, 0, False, ""
    if form.is_valid():
        filters = form.cleaned_data
        search_filters = {"category": filters["category"], "q": filters["q"].strip(), "seeker_age": seeker_age}
        try:
            programs = program_search(zip_code=filters["zip"], radius_miles=filters["radius"], **search_filters)
        except UnknownZipCode:
            # A well-formed zip code we have no centre for (a person may live anywhere, and new zip codes
            # appear): list the programs without distances and say so, rather than refuse the search.
            unplaced_zip = filters["zip"]
            programs = program_search(**search_filters)
        if seeker_age is not None and not filters["show_ineligible"]:
            hidden_ineligible, hidden_ineligible_more = capped_count(programs.filter(age_eligible=False))
            programs = programs.filter(age_eligible=True)
        page = CappedCountPaginator(programs, PROGRAMS_PER_PAGE).get_page(request.GET.get("page"))
        page.object_list = list(page.object_list)
        if seeker is not None:
            _mark_open_referrals(request.user, seeker, page.object_list)
    context = {"form": form, "seeker": seeker, "seeker_age": seeker_age, "page": page,
               "hidden_ineligible": hidden_ineligible, "hidden_ineligible_more": hidden_ineligible_more,
               "unplaced_zip": unplaced_zip, "radius_ignored": bool(unplaced_zip and form.cleaned_data["radius"])}
    return render(request, "programs/search.html", context, status=200 if form.is_valid() else 400)


def _connect_context(seeker, program, form, **extra):
    return {"seeker": seeker, "program": program, "form": form, **extra}


@login_required
@require_http_methods(["GET", "POST"])
def connect(request, public_id):
    try:
        program = program_get(public_id=public_id)
    except Program.DoesNotExist:
        raise Http404("No such program.") from None
    seeker = _seeker_from_query(request)
    if seeker is None:
        messages.info(request, "Start a referral from the person's profile, so we know who it is for.")
        return redirect("seekers:people")
    goals = seeker.goals.filter(status=Goal.Status.OPEN)
    form = ConnectForm(request.POST or None, seeker=seeker, program=program, goals=goals)
    if request.method == "GET":
        return render(request, "programs/connect.html", _connect_context(seeker, program, form))
    if not form.is_valid():
        return render(request, "programs/connect.html", _connect_context(seeker, program, form), status=400)
    data = form.cleaned_data
    try:
        referral = referral_create(actor=request.user, seeker=seeker, program=program, comment=data["comment"],
                                   urgency=data["urgency"], consent_method=data["consent_method"], goal=data["goal"])
    except DuplicateOpenReferral as error:
        if may_see(request.user, error.existing):
            duplicate, refusal = error.existing, error.message
        else:
            duplicate, refusal = None, f"A colleague already referred {seeker.full_name} to this program."
        return render(request, "programs/connect.html",
                      _connect_context(seeker, program, form, duplicate=duplicate, refusal=refusal), status=409)
    except NotAllowed as error:
        raise PermissionDenied(error.message) from None
    except ReferralError as error:
        field = error.context.get("field")
        if field in form.fields:
            form.add_error(field, error.message)
            refusal = None
        else:
            refusal = error.message
        return render(request, "programs/connect.html", _connect_context(seeker, program, form, refusal=refusal),
                      status=400)
    messages.success(request, f"Referral sent to {program.name}.")
    return redirect("seekers:profile", public_id=referral.seeker.public_id)
