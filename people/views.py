"""People I'm Helping, seeker profiles and their referral lists."""

import copy
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from core.pagination import CappedCountPaginator, WindowCountPaginator
from core.statements import Statement, as_uuid
from goals.forms import GoalForm
from goals.models import Goal
from privacy.services import access_record
from programs.geo import zip_centre
from programs.selectors import age_on
from referrals.policies import contact_shared_with_program, receives_referrals, seekers_received_by
from referrals.views import panel_for_profile
from seekers import policies
from seekers.forms import PeopleSearchForm, SeekerForm
from seekers.models import Seeker
from seekers.selectors import people_search, people_with_activity
from seekers.services import LikelyDuplicate, seeker_create, seeker_update
from sms.selectors import texts_stopped, undelivered_text

from .selectors import (
    inbound_referrals,
    outbound_referrals,
    people_referred_to_programs,
    referred_people,
    with_open_referrals,
)

PEOPLE_PER_PAGE = 25


def _warn_if_zip_cannot_be_placed(request, seeker) -> None:
    """A well-formed zip code is kept even when we cannot place it (people live anywhere), but the helper
    hears it now rather than when program search cannot sort by distance."""
    if seeker.zip_code and zip_centre(seeker.zip_code) is None:
        messages.warning(
            request,
            f"We have no map location for zip code {seeker.zip_code}: check it is right. "
            "Program search will list programs for this person without distances.",
        )


_HELPED = Statement(
    "one person the user helps, by public id",
    lambda user, public_id: (
        Seeker.objects.restrict(user, "view").select_related("organization").filter(public_id=public_id)[:2]
    ),
)


def get_seeker_or_404(user, public_id) -> Seeker:
    return _HELPED.one(Http404("No such person."), user=user.pk, public_id=as_uuid(public_id))


def get_profile_or_404(user, public_id) -> tuple[Seeker, bool]:
    """(the seeker, whether ``user`` helps them): the people ``user`` helps, else the people referred to the
    programs ``user`` works (who see only what those referrals share). 404 for anyone else's."""
    try:
        return get_seeker_or_404(user, public_id), True
    except Http404:
        pass
    try:
        return seekers_received_by(user, few=True).get(public_id=public_id), False
    except Seeker.DoesNotExist:
        raise Http404("No such person.") from None


# People I'm Helping's two lists: the people a helper helps, and the people referred to a claimer's programs.
HELPING, REFERRED = "helping", "referred"


@login_required
@require_GET
def people(request):
    helping, referred = policies.can(request.user, "use_people_pages"), receives_referrals(request)
    if not (helping or referred):
        policies.check(request.user, "use_people_pages")  # 403 with the rule's message
    asked = request.GET.get("show")
    if not (helping and referred):
        shown = REFERRED if referred else HELPING
    elif asked in (HELPING, REFERRED):
        shown = asked
    else:  # someone who both helps and claims: a Site's worker starts from their people, a provider's from referrals
        shown = HELPING if policies.works_at_a_site(request.user) else REFERRED
    form = PeopleSearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    if shown == REFERRED:
        page = WindowCountPaginator(people_referred_to_programs(request.user, query), PEOPLE_PER_PAGE).get_page(
            request.GET.get("page")
        )
        page.object_list = referred_people(request.user, page.object_list)
    else:
        seekers = Seeker.objects.restrict(request.user, "view:all")
        counter = None
        if query:
            seekers = people_search(seekers, query)
        else:  # everyone they help: counted from the rule's own ids
            counter = partial(policies.count_helped, request.user)
        page = CappedCountPaginator(people_with_activity(seekers), PEOPLE_PER_PAGE, counter=counter).get_page(
            request.GET.get("page")
        )
        page.object_list = with_open_referrals(request.user, page.object_list)
    context = {
        "form": form,
        "page": page,
        "query": query,
        "shown": shown,
        "can_add_person": helping,
        "both_lists": helping and referred,
    }
    list_template = "seekers/_referred_list.html" if shown == REFERRED else "seekers/_people_list.html"
    template = list_template if request.htmx and request.htmx.target == "people-list" else "seekers/people.html"
    return render(request, template, {**context, "list_template": list_template})


@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    policies.check(request.user, "use_people_pages")
    form = SeekerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in SeekerForm.Meta.fields}
        # Before saving, the same person already helped (issue 19 item 3); "This is someone else" sends
        # the form again with confirm_new.
        confirmed = request.POST.get("confirm_new") == "1"
        try:
            seeker = seeker_create(actor=request.user, check_duplicates=not confirmed, **fields)  # NotAllowed: 403
        except LikelyDuplicate as duplicate:
            return render(
                request,
                "seekers/seeker_form.html",
                {
                    "form": form,
                    "seeker": None,
                    "matches": duplicate.matches,
                    "hidden_matches": duplicate.hidden_matches,
                },
            )
        messages.success(request, f"Added {seeker.full_name}.")
        _warn_if_zip_cannot_be_placed(request, seeker)
        return redirect("seekers:profile", public_id=seeker.public_id)
    return render(
        request, "seekers/seeker_form.html", {"form": form, "seeker": None}, status=400 if form.is_bound else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, public_id):
    seeker = get_seeker_or_404(request.user, public_id)
    # The form writes cleaned values onto its instance; a copy keeps the page's heading as it was.
    form = SeekerForm(request.POST or None, instance=copy.copy(seeker))
    if request.method == "POST":
        if form.is_valid():
            changed = {name: form.cleaned_data[name] for name in form.changed_data}
            if changed:
                seeker_update(actor=request.user, seeker=seeker, **changed)
                messages.success(request, "Personal information saved.")
                if "zip_code" in changed:
                    _warn_if_zip_cannot_be_placed(request, seeker)
            return redirect("seekers:profile", public_id=seeker.public_id)
        return render(request, "seekers/seeker_form.html", {"form": form, "seeker": seeker}, status=400)
    return render(request, "seekers/seeker_form.html", {"form": form, "seeker": seeker})


def render_received_profile(request, seeker, *, open_panel=""):
    """The profile as a program sees it: the name and, while a referral's consent holds, the contact details
    and language; the Inbound Referrals section. Nothing else of the referring organization's record."""
    inbound = list(inbound_referrals(request.user, seeker))
    context = {
        "seeker": seeker,
        "inbound": inbound,
        "shares_contact": contact_shared_with_program(seeker, consent_holds=any(r.has_consent for r in inbound)),
        "consent_withdrawn": any(r.consent_withdrawn_at for r in inbound),
        "open_panel": open_panel,
    }
    return render(request, "seekers/profile_received.html", context)


def render_profile(request, seeker, *, goal_form=None, status=200, open_panel=""):
    goals = list(seeker.goals.all())
    context = {
        "seeker": seeker,
        "is_organization_admin": policies.can(request.user, "see_access_records", seeker),
        "age": age_on(seeker.date_of_birth),
        "open_goals": [goal for goal in goals if goal.status == Goal.Status.OPEN],
        "closed_goals": [goal for goal in goals if goal.status == Goal.Status.CLOSED],
        "goal_form": goal_form or GoalForm(),
        "outbound": outbound_referrals(request.user, seeker),
        # Someone who works no program's referrals has none to list: their query is not run.
        "inbound": inbound_referrals(request.user, seeker) if receives_referrals(request) else [],
        "open_panel": open_panel,
        "text_problem": undelivered_text(seeker),
        "texts_stopped": texts_stopped(seeker),
    }
    return render(request, "seekers/profile.html", context, status=status)


@login_required
@require_GET
def profile(request, public_id):
    seeker, helps = get_profile_or_404(request.user, public_id)
    access_record(user=request.user, seeker=seeker, request=request)
    return render_profile(request, seeker) if helps else render_received_profile(request, seeker)


@login_required
@require_GET
def profile_referral(request, public_id, referral_id):
    """The profile with one of the person's referrals open below its lists: the address the profile pushes when
    a referral opens in place, so that it can be bookmarked, shared, reloaded and left with Back. htmx asks
    for the panel alone."""
    seeker, helps = get_profile_or_404(request.user, public_id)
    panel = panel_for_profile(request, seeker=seeker, referral_public_id=referral_id)  # 404: not this person's
    if request.htmx:
        return panel
    access_record(user=request.user, seeker=seeker, request=request)
    if not helps:
        return render_received_profile(request, seeker, open_panel=panel.content.decode())
    return render_profile(request, seeker, open_panel=panel.content.decode())


@login_required
@require_GET
def outbound_list(request, public_id):
    """The profile's outbound referral list alone: what live updates swap in."""
    seeker = get_seeker_or_404(request.user, public_id)
    return render(
        request, "seekers/_outbound_list.html", {"seeker": seeker, "outbound": outbound_referrals(request.user, seeker)}
    )


@login_required
@require_GET
def inbound_list(request, public_id):
    seeker, _ = get_profile_or_404(request.user, public_id)
    return render(
        request, "seekers/_inbound_list.html", {"seeker": seeker, "inbound": inbound_referrals(request.user, seeker)}
    )
