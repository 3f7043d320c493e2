"""The referral page, also served as a panel fragment for htmx (the profile and dashboards embed it).

Every change goes through referrals.services. What the page offers comes from the rule book
(referrals.policies.ReferralAccess: the person's parties, read once per request). A change the person may not
make answers 403, a referral they may not see 404, a stale form says what changed, and any other refusal shows
the service's message.
Requests from htmx get the panel back (status 200 so htmx swaps it in, with the message inside); plain
form posts are redirected to the page after a change, or see the page again with the message.
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_POST

from core.errors import add_to_form
from goals.models import Goal
from privacy.services import access_record
from programs.intake import answer_display, in_language

from . import services
from .errors import (
    DuplicateOpenReferral,
    InvalidReason,
    NotAllowed,
    NoteRequired,
    ReasonRequired,
    ReferralError,
    StaleReferral,
)
from .forms import GoalChoiceForm, NoteForm, ReopenForm, StatusForm
from .models import DELIVERY_KINDS, Note, Referral
from .policies import ReferralAccess, may_see, referral_access
from .selectors import (
    declined_alternatives,
    referral_changes_since,
    referral_get_visible,
    referral_history,
    referral_replacement_candidates,
)

STALE_MESSAGE = "This referral changed since you opened it, so nothing was saved. Here is what it looks like now."
STALE_KEPT_MESSAGE = (
    "Someone else changed this referral while you were working on it, so nothing was saved. "
    "What changed is shown above the form; what you wrote is still there: check it and send it again."
)


def _get_referral_or_404(user, public_id) -> Referral:
    try:
        return referral_get_visible(user=user, public_id=public_id)
    except Referral.DoesNotExist:
        raise Http404("No such referral.") from None


# History lines that record a delivery (DELIVERY_KINDS: an email or a text sent) rather than something a person did
# are hidden until asked for ("Show emails and texts"), as they outnumber the people's actions.
SHOW_DELIVERIES = "all"  # ?history=all


def history_by_day(events, *, show_deliveries: bool, now=None) -> tuple[list, int]:
    """The history grouped by local day, newest first: [(heading, [events])], and how many delivery lines
    there are (shown only when ``show_deliveries``)."""
    today = timezone.localdate(now or timezone.now())
    deliveries = sum(1 for event in events if event.kind in DELIVERY_KINDS)
    days: list = []
    for event in events:
        event.is_delivery = event.kind in DELIVERY_KINDS
        if event.is_delivery and not show_deliveries:
            continue
        day = timezone.localdate(event.created_at)
        if not days or days[-1][0] != day:
            days.append((day, []))
        days[-1][1].append(event)
    named = []
    for day, day_events in days:
        if day == today:
            heading = "Today"
        elif day == today - timedelta(days=1):
            heading = "Yesterday"
        else:
            heading = f"{day:%A}, {day:%B} {day.day}, {day.year}"
        named.append((heading, day, day_events))
    return named, deliveries


def _replacements(user, referral):
    return lambda: referral_replacement_candidates(user, referral)


def undo_offer(
    *,
    referral: Referral,
    access: ReferralAccess,
    before: str,
    action_url: str,
    target: str,
    next_url: str = "",
    swap: str = "outerHTML",
) -> dict | None:
    """The "Undo" a confirmation carries after a change from ``before``, when the status table lets this person
    move the referral back (referrals.statuses.undo_target, through the rule book)."""
    back = access.undo_to(before)
    if back is None:
        return None
    return {
        "to_status": back.value,
        "label": back.label,
        "version": referral.version,
        "action_url": action_url,
        "target": target,
        "next": next_url,
        "swap": swap,
    }


def _intake_answers(referral: Referral) -> list[dict]:
    """The program's intake questions as they were asked, with the answers, in the reader's language where the
    question had that wording: [{"question", "answer", "language", "answered"}]."""
    language = get_language()
    shown = []
    for answer in referral.intake_answers or []:
        wording = in_language(answer, language)
        shown.append(
            {
                "question": wording["text"],
                "language": wording["language"],
                "answer": answer_display(answer, language),
                "answered": answer.get("answer") not in (None, []),
            }
        )
    return shown


def _panel_context(
    request,
    referral: Referral,
    access: ReferralAccess,
    *,
    status_form=None,
    note_form=None,
    goal_form=None,
    reopen_form=None,
    panel_messages=(),
    undo=None,
    embedded=None,
    stale_changes=None,
):
    user = request.user
    seeker = referral.seeker
    can_set_goal = access.may("set_goal")
    goals = []
    if can_set_goal:
        goals = [goal for goal in seeker.goals.all() if goal.status == Goal.Status.OPEN or goal.pk == referral.goal_id]
    notes = list(referral.notes.order_by("-created_at", "-id"))
    for note in notes:
        note.can_delete = access.may("delete_note", note=note)
    show_deliveries = request.GET.get("history") == SHOW_DELIVERIES
    history_days, delivery_count = history_by_day(list(referral_history(referral)), show_deliveries=show_deliveries)
    outcomes = [
        ("Seeker", referral.seeker_outcome, referral.seeker_outcome_at),
        ("Program", referral.program_outcome, referral.program_outcome_at),
        ("Referrer", referral.referrer_outcome, referral.referrer_outcome_at),
    ]
    forwarded_to = referral.forwarded_to
    return {
        "intake_answers": _intake_answers(referral),
        "referral": referral,
        "seeker": seeker,
        "seeker_side": access.on_seeker_side,
        "can_forward": not referral.is_closed and access.may("forward"),
        "forwarded_to": forwarded_to,
        "forwarded_to_visible": forwarded_to is not None and may_see(user, forwarded_to),
        "forwarded_from_visible": referral.forwarded_from_id is not None and may_see(user, referral.forwarded_from),
        # Declined for no room or out of area: the nearest accepting programs of the same kind, for the seeker's side.
        "alternatives": declined_alternatives(referral) if access.may("offer_alternatives") else [],
        "show_contact": access.may("see_contact"),
        "status_form": status_form
        or StatusForm(referral=referral, access=access, replacements=_replacements(user, referral)),
        "note_form": note_form or NoteForm(),
        "goal_form": (goal_form or GoalChoiceForm(referral=referral, goals=goals)) if can_set_goal else None,
        "reopen_form": (reopen_form or ReopenForm(referral=referral))
        if referral.is_closed and access.may("reopen")
        else None,
        "can_withdraw_consent": referral.has_consent and access.may("withdraw_consent"),
        "can_add_note": access.may("add_note"),
        "notes": notes,
        "outcomes": outcomes if any(outcome for _, outcome, _ in outcomes) else None,
        "history_days": history_days,
        "delivery_count": delivery_count,
        "show_deliveries": show_deliveries,
        "panel_messages": panel_messages,
        "undo": undo,
        "stale_changes": stale_changes,
        "next_steps": access.next_steps(),
        # A panel embedded in another page links to the full page; the full page's own live refresh does not.
        "is_embedded": embedded
        if embedded is not None
        else bool(request.htmx)
        and (
            request.htmx.current_url_abs_path != reverse("referrals:detail", kwargs={"public_id": referral.public_id})
        ),
    }


def _render(request, referral, access: ReferralAccess, *, status=200, **context):
    if not access.may("see_history"):  # a seeker's own account: their page, never the staff notes and history
        response = redirect("referrals:my_referrals")
        if request.htmx:
            response["HX-Redirect"] = response["Location"]
        return response
    template = "referrals/_panel.html" if request.htmx else "referrals/detail.html"
    if request.htmx and status not in (403, 404):
        status = 200  # htmx swaps only successful responses; the message inside says what happened
    response = render(request, template, _panel_context(request, referral, access, **context), status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _opened(request, referral) -> ReferralAccess:
    """A person opens the referral: a claimer's first look marks it viewed (a network admin looking around does
    not), and the look is recorded."""
    access = referral_access(request.user, referral)
    if access.may("mark_viewed"):
        viewed = services.referral_mark_viewed(actor=request.user, referral=referral)
        referral.status, referral.version, referral.updated_at = viewed.status, viewed.version, viewed.updated_at
    access_record(user=request.user, referral=referral, request=request)
    return access


@login_required
@require_GET
def detail(request, public_id):
    referral = _get_referral_or_404(request.user, public_id)
    return _render(request, referral, _opened(request, referral))


def panel_for_profile(request, *, seeker, referral_public_id):
    """The panel of one of ``seeker``'s referrals, as the profile shows it in place (seekers.views
    .profile_referral). 404 for a referral the person may not see or of another person."""
    referral = _get_referral_or_404(request.user, referral_public_id)
    if referral.seeker_id != seeker.pk:
        raise Http404("No such referral.")
    access = _opened(request, referral)
    access.require("see_history")
    response = render(request, "referrals/_panel.html", _panel_context(request, referral, access, embedded=True))
    patch_vary_headers(response, ["HX-Request"])
    return response


def _done(request, referral, access, message: str, *, undo=None):
    if request.htmx:
        return _render(request, referral, access, panel_messages=[("success", message)], undo=undo)
    messages.success(request, message)
    return redirect("referrals:detail", public_id=referral.public_id)


def _refused(request, referral, access, error: ReferralError, **forms):
    """The answer to a refusal: 403 when not allowed, the current state when stale, the message otherwise."""
    if isinstance(error, NotAllowed):
        raise error  # Django's PermissionDenied too: 403
    if isinstance(error, StaleReferral):
        current = _get_referral_or_404(request.user, referral.public_id)
        current_access = referral_access(request.user, current)
        kept = _kept_forms(request, current, current_access, forms)
        if not kept:
            return _render(request, current, current_access, status=409, panel_messages=[("error", STALE_MESSAGE)])
        try:
            seen = int(request.POST.get("version", ""))
        except ValueError:
            seen = current.version
        return _render(
            request,
            current,
            current_access,
            status=409,
            panel_messages=[("error", STALE_KEPT_MESSAGE)],
            stale_changes=referral_changes_since(current, seen),
            **kept,
        )
    if isinstance(error, DuplicateOpenReferral):
        if may_see(request.user, error.existing):
            message = (
                "error",
                error.message,
                reverse("referrals:detail", kwargs={"public_id": error.existing.public_id}),
            )
        else:
            message = ("error", "A colleague already referred this person to this program (a referral you cannot see).")
        return _render(request, referral, access, status=409, panel_messages=[message], **forms)
    return _render(request, referral, access, status=400, panel_messages=[("error", error.message)], **forms)


def _kept_forms(request, current, access, forms) -> dict:
    """The refused form again, bound to what the person posted but at the referral's current version, so that
    their text stays and sending it again applies it to the referral as it is now (issue 19 item 1)."""
    if not request.POST.get("note", "").strip():
        return {}  # nothing typed (a one-click step, a goal): the current state and the message are enough
    data = request.POST.copy()
    data["version"] = str(current.version)
    kept = {}
    if "status_form" in forms:
        kept["status_form"] = StatusForm(
            data, referral=current, access=access, replacements=_replacements(request.user, current)
        )
    if "reopen_form" in forms and current.is_closed and access.may("reopen"):
        kept["reopen_form"] = ReopenForm(data, referral=current)
    return kept


def _invalid(request, referral, access, **forms):
    return _render(
        request,
        referral,
        access,
        status=400,
        panel_messages=[("error", "Please correct the fields marked below. Nothing was changed.")],
        **forms,
    )


@login_required
@require_POST
def change_status(request, public_id):
    referral = _get_referral_or_404(request.user, public_id)
    access = referral_access(request.user, referral)
    form = StatusForm(
        request.POST, referral=referral, access=access, replacements=_replacements(request.user, referral)
    )
    if not form.is_valid():
        return _invalid(request, referral, access, status_form=form)
    data = form.cleaned_data
    before = referral.status
    try:
        referral = services.referral_change_status(
            actor=request.user,
            referral=referral,
            to_status=data["to_status"],
            reason=data["reason"],
            note=data["note"],
            expected_version=data["version"],
            replaced_by=data["replaced_by"],
        )
    except (ReasonRequired, InvalidReason, NoteRequired) as error:
        add_to_form(form, error)
        return _invalid(request, referral, access, status_form=form)
    except ReferralError as error:
        return _refused(request, referral, access, error, status_form=form)
    referral = _get_referral_or_404(request.user, public_id)
    access = referral_access(request.user, referral)
    undo = undo_offer(
        referral=referral,
        access=access,
        before=before,
        action_url=reverse("referrals:status", kwargs={"public_id": public_id}),
        target="closest [data-live-referral]",
    )
    return _done(request, referral, access, f"Status changed to “{referral.get_status_display()}”.", undo=undo)


@login_required
@require_POST
def reopen(request, public_id):
    referral = _get_referral_or_404(request.user, public_id)
    access = referral_access(request.user, referral)
    form = ReopenForm(request.POST, referral=referral)
    if not form.is_valid():
        access.require("reopen")
        return _invalid(request, referral, access, reopen_form=form)
    try:
        services.referral_reopen(
            actor=request.user,
            referral=referral,
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data["version"],
        )
    except ReferralError as error:
        return _refused(request, referral, access, error, reopen_form=form)
    referral = _get_referral_or_404(request.user, public_id)
    return _done(
        request,
        referral,
        referral_access(request.user, referral),
        f"Reopened: the referral is “{referral.get_status_display()}” again.",
    )


@login_required
@require_POST
def add_note(request, public_id):
    referral = _get_referral_or_404(request.user, public_id)
    access = referral_access(request.user, referral)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _invalid(request, referral, access, note_form=form)
    try:
        services.note_add(actor=request.user, referral=referral, body=form.cleaned_data["body"])
    except ReferralError as error:
        return _refused(request, referral, access, error, note_form=form)
    return _done(request, referral, access, "Note added.")


@login_required
@require_POST
def delete_note(request, public_id, note_id):
    referral = _get_referral_or_404(request.user, public_id)
    access = referral_access(request.user, referral)
    try:
        note = referral.notes.get(public_id=note_id)
    except Note.DoesNotExist:
        raise Http404("No such note.") from None
    try:
        services.note_delete(actor=request.user, note=note)
    except ReferralError as error:
        return _refused(request, referral, access, error)
    return _done(request, referral, access, "Note deleted.")


@login_required
@require_POST
def set_goal(request, public_id):
    referral = _get_referral_or_404(request.user, public_id)
    access = referral_access(request.user, referral)
    access.require("set_goal")
    goals = referral.seeker.goals.all()
    form = GoalChoiceForm(request.POST, referral=referral, goals=goals)
    if not form.is_valid():
        return _invalid(request, referral, access, goal_form=form)
    try:
        referral = services.referral_set_goal(
            actor=request.user,
            referral=referral,
            goal=form.cleaned_data["goal"],
            expected_version=form.cleaned_data["version"],
        )
    except ReferralError as error:
        return _refused(request, referral, access, error, goal_form=form)
    referral = _get_referral_or_404(request.user, public_id)
    goal = referral.goal
    return _done(request, referral, access, f"Added to the goal “{goal.title}”." if goal else "Removed from its goal.")


@login_required
@require_POST
def withdraw_consent(request, public_id):
    referral = _get_referral_or_404(request.user, public_id)
    access = referral_access(request.user, referral)
    try:
        services.referral_withdraw_consent(actor=request.user, referral=referral)
    except ReferralError as error:
        return _refused(request, referral, access, error)
    referral = _get_referral_or_404(request.user, public_id)
    return _done(request, referral, access, "Consent withdrawn: the program now sees the person's name only.")
