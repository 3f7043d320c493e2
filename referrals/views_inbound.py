"""Inbound Referrals: the claimer's dashboard of referrals to the programs they claim."""

from __future__ import annotations

import functools
import uuid
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.numbers import parse_int
from core.pagination import OneMorePage, capped_counts, ids_by_parts
from core.statements import IdsStatement, Statement
from programs.selectors import claimer_rows, claimers_by_program, program_claimer

from . import inbound_cache, policies, stalls, statuses
from .errors import NotAllowed, ReferralError, StaleReferral
from .forms import StatusForm
from .models import URGENT_FIRST, Referral
from .selectors import referral_get_visible, referrals_for_page, referrals_inbound_for, referrals_to_programs_read
from .services import referral_assign, referral_change_status
from .templatetags.referral_display import ago, stalled_for

PAGE_SIZE = 25
AWAITING_ANSWER = (statuses.Status.SENT, statuses.Status.VIEWED)


# What the page shows of each program (its "My programs" list, the program filter) and decides with (their ids).
# Whole rows with their organizations were ~45 columns a program, among them the description and the search
# document, read on every view and on every view reused from the page cache, which needs only the ids.
PROGRAM_FIELDS = ("public_id", "name", "accepts_referrals", "capacity_available", "round_robin_assignment")


def programs_received_by(user):
    """The programs whose inbound referrals ``user`` works (the rule book: referrals.policies), by name."""
    return policies.programs_received_by(user).only(*PROGRAM_FIELDS).order_by("name")


# Written once per process (core.statements), bound to the person's id: the programs they receive for and the
# people who claim those programs. Building and compiling the two querysets cost ~1.5 ms of CPU a render.
_PROGRAMS = Statement("the programs a person receives referrals for", programs_received_by)
_CLAIMERS = Statement(
    "the claimers of the programs a person receives referrals for",
    lambda user: claimer_rows(policies.programs_received_by(user).values("pk")),
)


class InboundFilterForm(forms.Form):
    OPEN = ""
    ALL = "all"
    STALLED = "stalled"

    program = forms.ChoiceField(label="Program", required=False)
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[
            (OPEN, "All open"),
            (ALL, "All, closed too"),
            (STALLED, "Stalled (no update)"),
            *statuses.Status.choices,
        ],
    )
    urgency = forms.ChoiceField(
        label="Urgency", required=False, choices=[("", "Any urgency"), *statuses.Urgency.choices]
    )
    assignee = forms.ChoiceField(
        label="Assigned to",
        required=False,
        choices=[("", "Anyone"), ("me", "Assigned to me"), ("unassigned", "Unassigned")],
    )
    older_than_days = forms.IntegerField(label="Older than (days)", required=False, min_value=0, max_value=3650)

    def __init__(self, *args, programs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = [("", "All my programs")] + [
            (str(program.public_id), program.name) for program in programs
        ]

    def apply(self, referrals, *, user):
        """``referrals`` narrowed by the valid filters; invalid ones are shown as field errors and ignored."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        if data.get("program"):
            referrals = referrals.filter(program__public_id=data["program"])
        status = data.get("status", self.OPEN)
        if status == self.OPEN:
            # Open as "not closed" (the model's constraint holds the two together): the words of the index that
            # keeps each program's open referrals in the page's order (referral_inbound_open).
            referrals = referrals.filter(closed_at__isnull=True)
        elif status == self.STALLED:
            referrals = referrals.filter(stalls.stalled_q(timezone.now()))
        elif status != self.ALL:
            referrals = referrals.filter(status=status)
        if data.get("urgency"):
            referrals = referrals.filter(urgency=data["urgency"])
        if data.get("assignee") == "me":
            referrals = referrals.filter(assigned_to_id=user.pk)
        elif data.get("assignee") == "unassigned":
            referrals = referrals.filter(assigned_to__isnull=True)
        if data.get("older_than_days") is not None:
            referrals = referrals.filter(sent_at__lt=timezone.now() - timedelta(days=data["older_than_days"]))
        return referrals


def row_values(referral: Referral, *, overdue: bool, claimers: tuple, next_steps: tuple) -> dict:
    """Everything a row of Inbound Referrals prints (templates/jinja2/referrals/_inbound_row.html), as the hashable
    values core.jinja2.keep keeps its rendering by: what depends on the time (how long ago it was sent, overdue,
    stalled) worked out here, the viewer's part as their next steps and the assignment choices (``claimers``:
    (id, public id, label) of each, "Me (...)" for the viewer). The row is rendered again when any of them
    changes, among them the referral's version."""
    assigned = referral.assigned_to
    return {
        "public_id": referral.public_id,
        "seeker": referral.seeker.full_name,
        "urgency": referral.urgency,
        "overdue": overdue,
        "program": referral.program.name,
        "referred_by": None if referral.is_self_referral else referral.referred_by.short_name,
        "organization": None if referral.is_self_referral else referral.organization.name,
        "sent_at": referral.sent_at,
        "ago": ago(referral.sent_at),
        "status": referral.status,
        "stalled": stalled_for(referral),
        "stall_due_at": referral.stall_due_at,
        "next_steps": next_steps,
        "version": referral.version,
        "claimers": claimers,
        "assigned_to_id": referral.assigned_to_id,
        "assigned_name": "" if claimers or assigned is None else assigned.short_name,
    }


def is_overdue(referral: Referral, now) -> bool:
    """Still unanswered (sent or viewed) past the program's expected response time."""
    return (
        referral.status in AWAITING_ANSWER
        and referral.sent_at + timedelta(hours=referral.program.expected_response_hours) < now
    )


# Urgent first, then oldest first.
ORDER = (URGENT_FIRST, "sent_at", "id")
# A page's ids and the one more that tells whether there is a next page (OneMorePage).
PAGE_ROWS = PAGE_SIZE + 1


# What a row shows and decides with (the template, ``is_overdue``, the next steps' parties): only these columns are
# read. All of them were 132 a row, among them each program's description, eligibility and search document and
# each referral's comment and intake answers, converted and decoded for nothing.
ROW_FIELDS = (
    "public_id",
    "organization_id",
    "program_id",
    "seeker_id",
    "referred_by_id",
    "assigned_to_id",
    "urgency",
    "status",
    "version",
    "sent_at",
    "stall_due_at",
    "program__name",
    "program__expected_response_hours",
    "seeker__first_name",
    "seeker__last_name",
    "seeker__user_id",
    "organization__name",
    *(
        f"{person}__{field}"
        for person in ("referred_by", "assigned_to")
        for field in ("first_name", "last_name", "email")
    ),
)


def _page_rows(user, ids):
    return (
        referrals_for_page(user, ids, order=ORDER)
        .select_related("program", "seeker", "organization", "referred_by", "assigned_to")
        .only(*ROW_FIELDS)
    )


# The page's rows by their ids, each probed in the grant tables, joined to what a row shows: written once per
# process (core.statements) with a place for each of the page's ids; a shorter page fills the others with 0,
# which no referral has. Building and compiling it cost ~2.3 ms of CPU a render.
_PAGE_ROWS = IdsStatement("a page of Inbound Referrals' rows", _page_rows, places=PAGE_ROWS)


def _fetch_page(user, page_ids: list) -> list:
    return _PAGE_ROWS.rows(page_ids, user=user.pk)


def _inbound_context(request, programs, form) -> dict:
    user, now = request.user, timezone.now()
    program_ids = [program.pk for program in programs]
    inbound = referrals_inbound_for(user, to_choose=True, programs=programs)
    # What the filters keep, before it is narrowed to the person's programs: by each program for the page's ids,
    # by all of them for the count.
    filtered = form.apply(referrals_to_programs_read(), user=user)
    referrals = filtered.filter(program_id__in=program_ids)
    page = OneMorePage.asked(request, PAGE_SIZE)
    # The page's ids are chosen by a narrow query of their own, program by program from an index only
    # (referral_inbound_open, or referral_inbound_page for a status); only those rows are joined to their program,
    # seeker and people, each probed in the grant tables (referrals_for_page with a list). As a subquery of the
    # rows' query, PostgreSQL hashed all the claimer's grants for its 26 rows: 6.7-9.3 ms of planning and running
    # against 6.1 for the two queries.
    page_ids = ids_by_parts(filtered, "program_id", program_ids, order=ORDER, window=page.window)
    fetched = _fetch_page(user, page_ids)
    (not_updated, not_updated_more), (stalled, stalled_more), (total, total_more) = capped_counts(
        [inbound.filter(status=statuses.Status.SENT), inbound.filter(stalls.stalled_q(now)), referrals]
    )
    listed = page.context(request, fetched, list_has_rows=total > 0)

    choices = {
        program_id: tuple(
            (
                claimer.pk,
                claimer.public_id,
                f"Me ({claimer.short_name})" if claimer.pk == user.pk else claimer.short_name,
            )
            for claimer in claimers
        )
        for program_id, claimers in claimers_by_program(_CLAIMERS(user=user.pk)).items()
    }
    accesses = policies.referral_accesses(user, listed["rows"])
    kept_rows = [
        row_values(
            r,
            overdue=is_overdue(r, now),
            claimers=choices.get(r.program_id, ()),
            next_steps=tuple(accesses[r.pk].next_steps()),
        )
        for r in listed["rows"]
    ]
    return {
        "form": form,
        "programs": programs,
        **listed,
        "kept_rows": kept_rows,
        "total": total,
        "total_more": total_more,
        "not_updated": not_updated,
        "not_updated_more": not_updated_more,
        "stalled": stalled,
        "stalled_more": stalled_more,
        "rows_url": reverse("referrals:inbound_rows") + ("?" + request.GET.urlencode() if request.GET else ""),
        # Where the assignment forms come back to: the page, also when the list was re-fetched alone.
        "here": reverse("referrals:inbound") + ("?" + request.GET.urlencode() if request.GET else ""),
    }


def _render_inbound(request, template: str):
    """The page (or its list), reused from referrals.inbound_cache while nothing it shows has changed."""
    programs = list(_PROGRAMS(user=request.user.pk))

    @functools.cache
    def form():  # built once, and only when needed: a page reused from the cache without filters needs none
        return InboundFilterForm(request.GET or None, programs=programs)

    if request.method == "POST":  # a row's action: its answer is the list as it is now, never a cached one
        return render(request, template, _inbound_context(request, programs, form()))
    key = inbound_cache.page_key(request, template, [program.pk for program in programs], filters=form)
    cached = inbound_cache.get(key)
    if cached is not None:
        return HttpResponse(cached)
    response = render(request, template, _inbound_context(request, programs, form()))
    if response.status_code == 200:
        inbound_cache.put(key, response.content)
    return response


@login_required
def inbound(request):
    return _render_inbound(request, "referrals/inbound.html")


@login_required
def inbound_rows(request):
    """The list alone, which the page re-fetches when live.js says a referral changed."""
    return _render_inbound(request, "referrals/inbound_rows.html")


def _back_url(request) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("referrals:inbound")


def _back(request):
    return redirect(_back_url(request))


def _refused(request, message: str, status: int):
    return render(
        request, "referrals/inbound_refused.html", {"message": message, "back": _back_url(request)}, status=status
    )


@require_POST
@login_required
def assign(request, public_id):
    """A claimer assigns a referral to themselves or another claimer of its program, or clears it."""
    try:
        referral = referral_get_visible(user=request.user, public_id=public_id)
    except Referral.DoesNotExist:
        raise Http404("No such referral.") from None
    assignee = None
    chosen = request.POST.get("assignee", "").strip()
    if chosen:
        try:
            membership = program_claimer(referral.program, uuid.UUID(chosen))
        except ValueError:
            membership = None
        if membership is None:
            return _refused(request, "Referrals can only be assigned to the program's claimers.", 400)
        assignee = membership.user
    expected_version = parse_int(request.POST["expected_version"]) if request.POST.get("expected_version") else None
    if request.POST.get("expected_version") and expected_version is None:
        return _refused(request, "The form was incomplete; reload the page and try again.", 400)
    try:
        referral_assign(actor=request.user, referral=referral, assignee=assignee, expected_version=expected_version)
    except NotAllowed as error:
        return _refused(request, error.message, 403)
    except StaleReferral:
        messages.error(
            request,
            f"The referral for {referral.seeker.full_name} changed since you opened the page; "
            "here is how it looks now. Nothing was assigned.",
        )
        return _back(request)
    except ReferralError as error:
        return _refused(request, error.message, 400)
    who = "you" if assignee == request.user else (assignee.short_name if assignee else "nobody")
    messages.success(request, f"The referral for {referral.seeker.full_name} is now assigned to {who}.")
    return _back(request)


@require_POST
@login_required
def change_status(request, public_id):
    """A row's one-click next step (Accept, Decline… with its reason, ...): the same change as the referral
    page's, through referral_change_status. htmx gets the list back (with the page's filters, from ``next``)
    and the confirmation, with "Undo" when the status table allows it (status 200 whatever the answer: htmx swaps
    only successful responses, as on the referral page); a plain post returns to the page with the message."""
    try:
        referral = referral_get_visible(user=request.user, public_id=public_id)
    except Referral.DoesNotExist:
        raise Http404("No such referral.") from None
    access = policies.referral_access(request.user, referral)
    form = StatusForm(request.POST, referral=referral, access=access)
    name = referral.seeker.full_name
    before = referral.status
    undo = None
    if not form.is_valid():
        errors = form.errors.get("reason") or form.errors.get("to_status") or form.errors.get("version") or []
        level, message = "error", f"{name}: {errors[0] if errors else 'the form was incomplete.'} Nothing was changed."
    else:
        data = form.cleaned_data
        try:
            changed = referral_change_status(
                actor=request.user,
                referral=referral,
                to_status=data["to_status"],
                reason=data["reason"],
                expected_version=data["version"],
            )
        except NotAllowed:
            raise
        except StaleReferral:
            level, message = (
                "error",
                (
                    f"The referral for {name} changed since the page showed it, so nothing was "
                    "saved. Here is how it looks now."
                ),
            )
        except ReferralError as error:
            level, message = "error", f"{name}: {error.message}"
        else:
            level, message = "success", f"{name}: status changed to “{changed.get_status_display()}”."
            from .views import undo_offer  # the referral page's own offer, for this list's rows

            undo = undo_offer(
                referral=changed,
                access=policies.referral_access(request.user, changed),
                before=before,
                action_url=reverse("referrals:inbound_status", args=[public_id]),
                target="#inbound-list",
                next_url=_back_url(request),
                swap="innerHTML",
            )
    if not request.htmx:
        (messages.success if level == "success" else messages.error)(request, message)
        return _back(request)
    # The list as the page shows it: its filters and page come from the page's address (``next``).
    request.GET = QueryDict(_back_url(request).partition("?")[2])
    response = _render_inbound(request, "referrals/inbound_rows.html")
    confirmation = render(
        request, "referrals/_inbound_confirmation.html", {"panel_messages": [(level, message)], "undo": undo}
    ).content
    response.content = confirmation + response.content
    return response
