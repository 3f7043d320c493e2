"""Finding programs for a seeker, and the Connect form that refers them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_http_methods

from core import numbers
from core.addresses import set_addresses
from core.errors import Conflict
from core.pagination import CappedCountPaginator, capped_count
from goals.models import Goal
from programs.forms import answer_field_name
from programs.models import Program
from programs.selectors import (
    age_on,
    directory_listing,
    program_get,
    program_questions,
    seeker_facts,
    with_categories,
    with_verdicts,
)
from referrals.errors import DuplicateOpenReferral, NotAllowed, ReferralError
from referrals.models import Referral
from referrals.policies import may_see, programs_referred_for, referral_access
from referrals.selectors import open_referrals_to_programs, referral_get_visible
from referrals.services import referral_create, referral_forward
from seekers.models import Seeker

from .forms_programs import ConnectForm, ForwardForm, ProgramSearchForm

PROGRAMS_PER_PAGE = 20


def _seeker_from_query(request) -> Seeker | None:
    """The seeker named by ?seeker=<uuid>, if this user helps them; 404 otherwise."""
    public_id = request.GET.get("seeker", "").strip()
    if not public_id:
        return None
    try:
        return Seeker.objects.restrict(request.user, "view").select_related("organization").get(public_id=public_id)
    except (Seeker.DoesNotExist, ValidationError, ValueError):
        raise Http404("No such person.") from None


def _forwarding_from_query(request, name: str) -> Referral | None:
    """The referral named by ?<name>=<uuid>, to be forwarded by this user: 404 when they may not see it, 403 when
    they may see it but are not its program's claimer (the rule book's "forward"). ``shares_contact`` says whether
    the program sees the seeker's contact details and zip code (while consent holds)."""
    public_id = request.GET.get(name, "").strip()
    if not public_id:
        return None
    try:
        referral = referral_get_visible(user=request.user, public_id=public_id)
    except (Referral.DoesNotExist, ValidationError, ValueError):
        raise Http404("No such referral.") from None
    access = referral_access(request.user, referral)
    access.require("forward")
    referral.shares_contact = access.may("see_contact")
    return referral


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
    # Forwarding a referral (its claimer, ?forward=<referral>) searches for its seeker as the program sees them:
    # in their zip code while consent holds, never by their age (the program does not see the birth date).
    forwarding = _forwarding_from_query(request, "forward")
    seeker = forwarding.seeker if forwarding is not None else _seeker_from_query(request)
    data = request.GET.copy()
    if seeker is not None and "zip" not in data and (forwarding is None or forwarding.shares_contact):
        data["zip"] = seeker.zip_code
    form = ProgramSearchForm(data)
    seeker_age = age_on(seeker.date_of_birth) if seeker and forwarding is None else None
    # What the programs' eligibility rules know of the person (programs.eligibility): not when forwarding, as
    # the program sees neither the birth date nor the household's facts.
    facts = seeker_facts(seeker) if seeker is not None and forwarding is None else None
    page, hidden_ineligible, hidden_ineligible_more, unplaced_zip = None, 0, False, ""
    if form.is_valid():
        filters = form.cleaned_data
        search = {"zip_code": filters["zip"], "radius_miles": filters["radius"]}
        search.update(category=filters["category"], q=filters["q"])
        # The directory's listing (its SQL written once), with the person's facts when there is a person. Each
        # card's categories come with with_categories below, not prefetched.
        found = directory_listing(**search, categories=form.categories, seeker_facts=facts)
        programs, unplaced_zip = found.programs, found.unplaced_zip
        if facts is not None and not filters["show_ineligible"]:
            hidden_ineligible, hidden_ineligible_more = capped_count(programs.filter(not_eligible=True))
            programs = programs.filter(not_eligible=False)
        if hasattr(programs, "expect"):  # its page and count in one statement (another page: counted apart)
            programs.expect(numbers.parse_int(request.GET.get("page", ""), minimum=1) or 1, PROGRAMS_PER_PAGE)
        page = CappedCountPaginator(programs, PROGRAMS_PER_PAGE).get_page(request.GET.get("page"))
        page.object_list = with_categories(list(page.object_list), form.categories)
        if facts is not None:
            with_verdicts(page.object_list, facts)
        if seeker is not None:
            _mark_open_referrals(request.user, seeker, page.object_list)
            # Each card's Refer or Forward address, one reverse() for the page.
            set_addresses(
                page.object_list, "programs:forward" if forwarding is not None else "programs:connect", "action_url"
            )
    context = {
        "form": form,
        "seeker": seeker,
        "seeker_age": seeker_age,
        "page": page,
        "forwarding": forwarding,
        "hidden_ineligible": hidden_ineligible,
        "hidden_ineligible_more": hidden_ineligible_more,
        "unplaced_zip": unplaced_zip,
        "radius_ignored": bool(unplaced_zip and form.cleaned_data["radius"]),
    }
    return render(request, "programs/search.html", context, status=200 if form.is_valid() else 400)


def _show_on_form(form, error: ReferralError) -> str | None:
    """A service's refusal on the Connect or Forward form: each message on its field (an intake answer on its question, a
    question the form did not ask, as the questions changed meanwhile, above it); the rest, the refusal."""
    refusal = []
    for field, problems in (error.errors or {None: [error.message]}).items():
        name = field
        if field and field.startswith("answers."):
            name = answer_field_name({"id": field.removeprefix("answers.")})
        if name in form.fields:
            form.add_error(name, problems)
        else:
            refusal.extend(problems)
    return " ".join(refusal) or None


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
    form = ConnectForm(
        request.POST or None,
        seeker=seeker,
        program=program,
        goals=goals,
        referring_programs=list(programs_referred_for(request.user)),
        referring_as=seeker.organization.name,
        questions=program_questions(program),
        language=get_language(),
    )
    if request.method == "GET":
        return render(request, "programs/connect.html", _connect_context(seeker, program, form))
    if not form.is_valid():
        return render(request, "programs/connect.html", _connect_context(seeker, program, form), status=400)
    data = form.cleaned_data
    try:
        referral = referral_create(
            actor=request.user,
            seeker=seeker,
            program=program,
            comment=data["comment"],
            urgency=data["urgency"],
            consent_method=data["consent_method"],
            goal=data["goal"],
            on_behalf_of_program=data.get("on_behalf_of"),
            answers=data["answers"],
        )
    except DuplicateOpenReferral as error:
        if may_see(request.user, error.existing):
            duplicate, refusal = error.existing, error.message
        else:
            duplicate, refusal = None, f"A colleague already referred {seeker.full_name} to this program."
        return render(
            request,
            "programs/connect.html",
            _connect_context(seeker, program, form, duplicate=duplicate, refusal=refusal),
            status=409,
        )
    except NotAllowed as error:
        raise PermissionDenied(error.message) from None
    except ReferralError as error:
        refusal = _show_on_form(form, error)
        return render(
            request, "programs/connect.html", _connect_context(seeker, program, form, refusal=refusal), status=400
        )
    messages.success(request, f"Referral sent to {program.name}.")
    return redirect("seekers:profile", public_id=referral.seeker.public_id)


def _forward_context(referral, program, form, **extra):
    return {"referral": referral, "seeker": referral.seeker, "program": program, "form": form, **extra}


@login_required
@require_http_methods(["GET", "POST"])
def forward(request, public_id):
    """Forwarding a referral to ``program`` (?referral=<referral>): the comment and the seeker's consent, then
    one transaction (referrals.services.referral_forward) makes the new referral and closes the original."""
    try:
        program = program_get(public_id=public_id)
    except Program.DoesNotExist:
        raise Http404("No such program.") from None
    referral = _forwarding_from_query(request, "referral")
    if referral is None:
        messages.info(request, "Forward a referral from its page, so we know which one.")
        return redirect("referrals:inbound")
    form = ForwardForm(
        request.POST or None,
        seeker=referral.seeker,
        program=program,
        questions=program_questions(program),
        language=get_language(),
    )
    if request.method == "GET":
        return render(request, "programs/forward.html", _forward_context(referral, program, form))
    if not form.is_valid():
        return render(request, "programs/forward.html", _forward_context(referral, program, form), status=400)
    data = form.cleaned_data
    try:
        forwarded = referral_forward(
            actor=request.user,
            referral=referral,
            program=program,
            comment=data["comment"],
            consent_method=data["consent_method"],
            answers=data["answers"],
        )
    except DuplicateOpenReferral as error:
        duplicate = error.existing if may_see(request.user, error.existing) else None
        refusal = (
            error.message
            if duplicate
            else (f"{referral.seeker.full_name} already has an open referral to {program.name}.")
        )
        return render(
            request,
            "programs/forward.html",
            _forward_context(referral, program, form, duplicate=duplicate, refusal=refusal),
            status=409,
        )
    except NotAllowed as error:
        raise PermissionDenied(error.message) from None
    except ReferralError as error:
        refusal = _show_on_form(form, error)
        return render(
            request,
            "programs/forward.html",
            _forward_context(referral, program, form, refusal=refusal),
            status=409 if isinstance(error, Conflict) else 400,
        )
    messages.success(
        request,
        f"Forwarded to {program.name}: the referral to {referral.program.name} is closed as "
        f"forwarded, and {referral.seeker.first_name} is told once.",
    )
    return redirect("referrals:detail", public_id=forwarded.public_id)
