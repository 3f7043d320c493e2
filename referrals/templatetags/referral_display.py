"""How referrals read on the page: history lines in words, status badges, "3 days ago", phone numbers."""

from datetime import timedelta
from functools import lru_cache

from django import template
from django.utils import timezone, translation
from django.utils.timesince import TIME_STRINGS

from core.templatetags.contact_links import phone_text
from referrals import stalls, statuses
from referrals.answers import CONFIRM_STATUS, SEEKER_ANSWERS, WITHDRAW_CONSENT, seeker_answer_labels
from referrals.models import Referral, ReferralEvent
from referrals.statuses import CLOSED, Reason, Status, seeker_label, seeker_reason_label

register = template.Library()
Kind = ReferralEvent.Kind


def _consent_method_label(value: str) -> str:
    return Referral.ConsentMethod(value).label.lower() if value in Referral.ConsentMethod.values else value


def _link_choice_label(choice: str) -> str:
    """What was chosen through a link, as the person saw it: the seeker's answer ("I got help"), stopping the
    sharing of contact details, or the status a user chose. History lines are in English, as the others."""
    if not choice:
        return ""
    if choice == WITHDRAW_CONSENT:
        return "stop sharing contact details"
    if choice == CONFIRM_STATUS:
        return "the status still holds"
    if choice in SEEKER_ANSWERS:
        with translation.override("en"):
            return seeker_answer_labels()[choice]
    if choice in Status.values:
        return Status(choice).label
    return "not one of the choices"


# A status's and a reason's name, worked out once per language (referrals.statuses).
register.filter("status_label", statuses.status_label)
register.filter("reason_label", statuses.reason_label)


@register.filter
def step_runs(steps) -> list:
    """The next steps in their order, those that take no reason in runs of one form each ("plain", [steps]) and
    each that asks a reason on its own ("reasons", [step]): the page's next-step forms (referrals/_next_steps.html).
    One form with a button per step, where a form a step repeated the address, token and version each time
    (Inbound Referrals: 7.5 KB a row)."""
    runs = []
    for step in steps or ():
        if step.reasons:
            runs.append(("reasons", [step]))
        elif runs and runs[-1][0] == "plain":
            runs[-1][1].append(step)
        else:
            runs.append(("plain", [step]))
    return runs


@register.filter
def status_badge(value: str) -> str:
    """The badge class for a status: open work, good outcome, warning, closed without help."""
    if value == Status.GOT_HELP:
        return "badge-ok"
    if value in (Status.DECLINED, Status.NOT_COMPLETED, Status.ENTERED_IN_ERROR):
        return "badge-bad"
    if value in (Status.WITHDRAWN,):
        return "badge"
    if value in (Status.NEEDS_CLIENT_ACTION, Status.WAITLISTED, Status.SENT):
        return "badge-warn"
    return "badge-open" if value not in CLOSED else "badge"


@register.filter
def ago(value) -> str:
    """'2 minutes ago', 'just now', '3 days ago' (one unit, plain spaces): Django's ``timesince(value, now,
    depth=1)``, worked out here because it runs on every row of the busiest lists (Inbound Referrals: 25 a
    page; 17 µs a call through ``timesince``, 6 here). With one unit shown, Django's answer is the whole years
    or months between the two moments on the calendar when there is at least one (counted as it counts them,
    in ``value``'s time zone), else the largest whole week, day, hour or minute of the time between; each
    unit's words are made once per language. tests/referrals/test_ago.py compares the two over two years of
    moments, month ends, two time zones and both languages."""
    if not value:
        return ""
    now = timezone.now()
    if value > now:
        value = now
    since = now - value
    if since < timedelta(minutes=1):
        return "just now"
    now = now.astimezone(value.tzinfo)  # Django counts the calendar in the value's time zone
    months = (now.year - value.year) * 12 + (now.month - value.month)
    if value.day > now.day or (value.day == now.day and value.time() > now.time()):
        months -= 1
    if months >= 12:
        return _ago_words(translation.get_language(), "year", months // 12)
    if months > 0:
        return _ago_words(translation.get_language(), "month", months)
    seconds = since.total_seconds()
    for unit, length in _AGO_UNITS:
        if seconds >= length:
            return _ago_words(translation.get_language(), unit, int(seconds // length))
    return _ago_words(translation.get_language(), "minute", 0)  # not reached: since is a minute or more


_AGO_UNITS = (("week", 7 * 24 * 60 * 60), ("day", 24 * 60 * 60), ("hour", 60 * 60), ("minute", 60))


@lru_cache(maxsize=4096)
def _ago_words(language, unit: str, number: int) -> str:
    """'3 days ago' in ``language`` (the active one, which keys the cache), as ``timesince`` words it."""
    return f"{TIME_STRINGS[unit] % {'num': number}} ago".replace("\xa0", " ")


@register.filter
def stalled_for(referral) -> str:
    """ "Stalled 5 days" when the referral's status has gone unconfirmed past its stall period (referrals.stalls),
    else ""."""
    days = stalls.stalled_days(referral, now=timezone.now())
    if days is None:
        return ""
    return "Stalled today" if days == 0 else f"Stalled {days} day{'s' if days != 1 else ''}"


@register.filter
def phone(value: str) -> str:
    """312-555-0142 for ten stored digits; anything else as it is (as a link: core's ``phone_link``)."""
    return phone_text(value)


@register.filter
def seeker_status(value: str) -> str:
    """A status as the seeker reads it ("The program is working with you")."""
    return seeker_label(value) if value in Status.values else value


@register.filter
def seeker_reason(value: str) -> str:
    """A closing reason as the seeker reads it ("The program could not reach you")."""
    return seeker_reason_label(value) if value in Reason.values else value


@register.filter
def seeker_choice(value: str) -> str:
    """A status the seeker may choose, as the answer they give ("I got help"), as in their emails."""
    labels = seeker_answer_labels()
    answer = next((answer for answer, (status, _reason) in SEEKER_ANSWERS.items() if status == value), None)
    return labels[answer] if answer else seeker_status(value)


# What a status change did to the program's open slots (programs.capacity), after the change's words.
_SLOT_WORDS = {
    "taken": "; it took one of the program's open slots",
    "none_open": "; no open slot was left to take",
    "given_back": "; its open slot went back to the program",
}


@register.filter
def event_words(event: ReferralEvent, show_goals: bool = True) -> str:
    """What happened, in words: "changed status from Viewed to Accepted". Plain text; the template escapes it.

    ``show_goals`` False leaves goal names out: the seeker's goals belong to the organization that helps them.
    """
    detail = event.detail or {}
    kind = event.kind
    if kind == Kind.CREATED:
        return "created the referral"
    if kind == Kind.STATUS_CHANGED:
        words = f"changed status from {statuses.status_label(event.from_status)} to {statuses.status_label(event.to_status)}"
        if event.reason:
            words += f" ({statuses.reason_label(event.reason)})"
        if detail.get("note"):
            words += ", with a note"
        return words + _SLOT_WORDS.get(detail.get("slot") or "", "")
    if kind == Kind.REOPENED:
        return (
            f"reopened the referral: status from {statuses.status_label(event.from_status)} to {statuses.status_label(event.to_status)}"
            + _SLOT_WORDS.get(detail.get("slot") or "", "")
        )
    if kind == Kind.NOTE_ADDED:
        return "added a note"
    if kind == Kind.NOTE_DELETED:
        return "deleted a note"
    if kind == Kind.CONSENT_GIVEN:
        method = _consent_method_label(detail.get("method", ""))
        return f"recorded consent ({method})" if method else "recorded consent"
    if kind == Kind.CONSENT_WITHDRAWN:
        return "withdrew consent"
    if kind == Kind.GOAL_CHANGED:
        before, after = detail.get("from", ""), detail.get("to", "")
        if not show_goals:
            return "changed the goal"
        if before and after:
            return f"moved the referral from the goal “{before}” to “{after}”"
        if after:
            return f"added the referral to the goal “{after}”"
        return f"removed the referral from the goal “{before}”" if before else "changed the goal"
    if kind == Kind.ASSIGNMENT_CHANGED:
        after, before = detail.get("to", ""), detail.get("from", "")
        if after:
            words = f"assigned the referral to {after}"
            return words + " (round robin)" if detail.get("round_robin") else words
        return f"unassigned the referral (was {before})" if before else "unassigned the referral"
    if kind == Kind.EMAIL_SENT:
        recipient = detail.get("recipient") or detail.get("to") or ""
        return f"sent an email to {recipient}" if recipient else "sent an email"
    if kind == Kind.TEXT_SENT:
        recipient = "the seeker" if detail.get("to") == "Seeker" else (detail.get("to") or "")
        return f"sent a text message to {recipient}" if recipient else "sent a text message"
    if kind == Kind.TEXT_REPLY:
        answer = {
            "got_help": "got help",
            "couldnt_get_help": "couldn't get help",
            "no_longer_interested": "no longer interested",
        }.get(detail.get("choice") or "", "")
        return f"answered by text: {answer}" if answer else "answered by text"
    if kind == Kind.TEXTS_STOPPED:
        return f"replied {detail.get('keyword') or 'STOP'} to our texts: no more texts until they reply START"
    if kind == Kind.TEXTS_RESUMED:
        return f"replied {detail.get('keyword') or 'START'}: texts resume"
    if kind == Kind.EMAIL_LINK_USED:
        choice = _link_choice_label(detail.get("choice") or "")
        return f"used an email link ({choice})" if choice else "used an email link"
    if kind == Kind.STATUS_CONFIRMED:
        return f"confirmed the status is still {statuses.status_label(event.to_status)}"
    if kind == Kind.STALLED:
        days = int(detail.get("period_days", 0)) * int(detail.get("step", 1))
        told = (
            "asked the program's claimers to confirm or update it"
            if detail.get("told") == "claimers"
            else "told the referrer, with programs that have open slots"
        )
        if detail.get("seeker_reminded"):
            told = "reminded the seeker of what the program needs and " + told
        return f"noted it has been {statuses.status_label(event.to_status)} for {days} days with no update: {told}"
    return event.get_kind_display().lower()
