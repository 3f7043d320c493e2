"""The one table of referral statuses and transitions, and who may make each.

Every status change, whoever makes it (dashboard, email link, API, FHIR, admin, system), is validated
here by ``referral_change_status``. Parties are the roles a person plays on one referral:

- ``claimer``: a claimer of the referral's program (or an admin of the program's organization);
- ``referrer``: the person who made it, or a member of the team/program that shares it;
- ``admin``: an organization admin of either side;
- ``seeker``: the seeker, from an email link or their own account;
- ``system``: automatic steps (first view, expiry).
"""

import functools
from dataclasses import dataclass

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    SENT = "sent", _("Not updated")
    VIEWED = "viewed", _("Viewed")
    NEEDS_CLIENT_ACTION = "needs_client_action", _("Needs client action")
    ACCEPTED = "accepted", _("Accepted")
    WAITLISTED = "waitlisted", _("Waitlisted")
    IN_SERVICE = "in_service", _("In service")
    GOT_HELP = "got_help", _("Got help")
    DECLINED = "declined", _("Declined")
    NOT_COMPLETED = "not_completed", _("Not completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    ENTERED_IN_ERROR = "entered_in_error", _("Entered in error")


class Reason(models.TextChoices):
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")
    NO_CAPACITY = "no_capacity", _("No capacity")
    OUT_OF_AREA = "out_of_area", _("Out of service area")
    OTHER = "other", _("Other")
    COULDNT_CONTACT = "couldnt_contact", _("Couldn't contact the seeker")
    COULDNT_GET_HELP = "couldnt_get_help", _("Couldn't get help")
    NO_LONGER_INTERESTED = "no_longer_interested", _("No longer interested")
    REFERRED_ELSEWHERE = "referred_elsewhere", _("Referred elsewhere")
    EXPIRED_NO_RESPONSE = "expired_no_response", _("Expired with no response")
    FORWARDED = "forwarded", _("Forwarded to another program")


# The seeker's one-click answers (links, texts, their own page): answer -> (status, reason). A status change to
# one of these, by the seeker or by staff on their side, is "the seeker's answer" (referrals.channels).
SEEKER_ANSWERS = {
    "got_help": (Status.GOT_HELP, ""),
    "couldnt_get_help": (Status.NOT_COMPLETED, Reason.COULDNT_GET_HELP),
    "no_longer_interested": (Status.WITHDRAWN, Reason.NO_LONGER_INTERESTED),
}


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    URGENT = "urgent", _("Urgent")


# What seekers read (their pages, emails and texts): the staff words ("In service", "Not updated") say what the
# program recorded; these say what it means for the person who asked for help.
SEEKER_LABELS = {
    Status.SENT: _("Sent to the program"),
    Status.VIEWED: _("The program has seen it"),
    Status.NEEDS_CLIENT_ACTION: _("The program needs something from you"),
    Status.ACCEPTED: _("The program will help you"),
    Status.WAITLISTED: _("You are on the program's waiting list"),
    Status.IN_SERVICE: _("The program is working with you"),
    Status.GOT_HELP: _("You got help"),
    Status.DECLINED: _("The program cannot help this time"),
    Status.NOT_COMPLETED: _("It did not work out"),
    Status.WITHDRAWN: _("Closed: no longer needed"),
    Status.ENTERED_IN_ERROR: _("Made by mistake"),
}
SEEKER_REASON_LABELS = {
    Reason.NOT_ELIGIBLE: _("You do not meet the program's requirements"),
    Reason.NO_CAPACITY: _("The program has no room right now"),
    Reason.OUT_OF_AREA: _("You live outside the area the program serves"),
    Reason.COULDNT_CONTACT: _("The program could not reach you"),
    Reason.EXPIRED_NO_RESPONSE: _("The program did not answer in time"),
    Reason.REFERRED_ELSEWHERE: _("You were referred to another program"),
    Reason.FORWARDED: _("The program sent your referral on to another program"),
}


def seeker_label(status: str) -> str:
    """A status as the seeker reads it."""
    return str(SEEKER_LABELS[Status(status)])


def seeker_reason_label(reason: str) -> str:
    """A closing reason as the seeker reads it ("" for none)."""
    if not reason:
        return ""
    return str(SEEKER_REASON_LABELS.get(Reason(reason), Reason(reason).label))


CLOSED = frozenset({Status.GOT_HELP, Status.DECLINED, Status.NOT_COMPLETED, Status.WITHDRAWN, Status.ENTERED_IN_ERROR})
OPEN = frozenset(set(Status) - CLOSED)
# Open statuses after the program's first answer that count as stalled when left alone: the network's default
# days (settings.STALL_DAYS), which a program may set for itself (Program.stall_days_<status>).
STALLABLE = (Status.NEEDS_CLIENT_ACTION, Status.WAITLISTED, Status.ACCEPTED, Status.IN_SERVICE)
CLAIMER_WORK = frozenset({Status.NEEDS_CLIENT_ACTION, Status.ACCEPTED, Status.WAITLISTED, Status.IN_SERVICE})

# The FHIR SDOH Clinical Care Task.status for each status (and businessStatus where one is needed).
FHIR_TASK_STATUS = {
    Status.SENT: "requested",
    Status.VIEWED: "requested",
    Status.NEEDS_CLIENT_ACTION: "on-hold",
    Status.ACCEPTED: "accepted",
    Status.WAITLISTED: "on-hold",
    Status.IN_SERVICE: "in-progress",
    Status.GOT_HELP: "completed",
    Status.DECLINED: "rejected",
    Status.NOT_COMPLETED: "failed",
    Status.WITHDRAWN: "cancelled",
    Status.ENTERED_IN_ERROR: "entered-in-error",
}


class Party(models.TextChoices):
    CLAIMER = "claimer", _("Program")
    REFERRER = "referrer", _("Referrer")
    ADMIN = "admin", _("Organization admin")
    SEEKER = "seeker", _("Seeker")
    SYSTEM = "system", _("System")


@dataclass(frozen=True)
class Rule:
    """Who may move a referral into ``to_status``, from which statuses, and with which reasons."""

    to_status: Status
    from_statuses: frozenset
    parties: frozenset
    # reason -> the parties allowed to give it; empty means the status takes no reason.
    reasons: dict
    note_required: bool = False


_ANY_STAFF = frozenset({Party.CLAIMER, Party.REFERRER, Party.ADMIN})

RULES: dict[Status, Rule] = {
    Status.VIEWED: Rule(Status.VIEWED, frozenset({Status.SENT}), frozenset({Party.SYSTEM}), {}),
    # In the order the statuses are declared, not the set's (which changes with each process's string hashing):
    # the status menu lists them in this order, and should read the same on every page load.
    **{
        status: Rule(status, OPEN - {status}, frozenset({Party.CLAIMER}), {})
        for status in Status
        if status in CLAIMER_WORK
    },
    Status.GOT_HELP: Rule(Status.GOT_HELP, OPEN, _ANY_STAFF | {Party.SEEKER}, {}),
    Status.DECLINED: Rule(
        Status.DECLINED,
        OPEN,
        frozenset({Party.CLAIMER}),
        {
            reason: frozenset({Party.CLAIMER})
            for reason in (Reason.NOT_ELIGIBLE, Reason.NO_CAPACITY, Reason.OUT_OF_AREA, Reason.OTHER, Reason.FORWARDED)
        },
    ),
    Status.NOT_COMPLETED: Rule(
        Status.NOT_COMPLETED,
        OPEN,
        frozenset({Party.CLAIMER, Party.SEEKER}),
        {
            Reason.COULDNT_CONTACT: frozenset({Party.CLAIMER}),
            Reason.COULDNT_GET_HELP: frozenset({Party.CLAIMER, Party.SEEKER}),
        },
    ),
    Status.WITHDRAWN: Rule(
        Status.WITHDRAWN,
        OPEN,
        frozenset({Party.REFERRER, Party.SEEKER, Party.SYSTEM}),
        {
            Reason.NO_LONGER_INTERESTED: frozenset({Party.REFERRER, Party.SEEKER}),
            Reason.REFERRED_ELSEWHERE: frozenset({Party.REFERRER, Party.SEEKER}),
            Reason.EXPIRED_NO_RESPONSE: frozenset({Party.SYSTEM}),
        },
    ),
    Status.ENTERED_IN_ERROR: Rule(
        Status.ENTERED_IN_ERROR,
        frozenset(set(Status) - {Status.ENTERED_IN_ERROR}),
        frozenset({Party.REFERRER, Party.ADMIN}),
        {},
        note_required=True,
    ),
}

# Reasons given only by their own action, never chosen in a status form: a referral is declined as forwarded
# by forwarding it (referrals.services.referral_forward), which makes and links the new referral.
ACTION_REASONS = frozenset({Reason.FORWARDED})
# The declines after which the referrer is offered the nearest accepting programs of the same category.
DECLINES_WITH_ALTERNATIVES = frozenset({Reason.NO_CAPACITY, Reason.OUT_OF_AREA})

# A closed referral is reopened by an organization admin of either side, with a required note,
# to the open status it had before it was closed.
REOPEN_PARTIES = frozenset({Party.ADMIN})


def is_closed(status: str) -> bool:
    return status in CLOSED


def reasons_for(to_status: str) -> list[str]:
    rule = RULES.get(Status(to_status)) if to_status in Status.values else None
    return list(rule.reasons) if rule else []


def allowed_targets(current: str, parties: set) -> list[Status]:
    """The statuses that someone playing ``parties`` may move a referral in ``current`` to."""
    targets = []
    for status, rule in RULES.items():
        if current in rule.from_statuses and rule.parties & parties:
            if not rule.reasons or any(
                allowed & parties for reason, allowed in rule.reasons.items() if reason not in ACTION_REASONS
            ):
                targets.append(status)
    return targets


def allowed_reasons(to_status: str, parties: set) -> list[Reason]:
    rule = RULES.get(Status(to_status))
    if rule is None:
        return []
    return [
        Reason(reason) for reason, allowed in rule.reasons.items() if allowed & parties and reason not in ACTION_REASONS
    ]


# The one-click next steps (the referral page and Inbound Referrals rows): how each target reads as a button, in
# the order they are offered. A status whose rule takes reasons asks for one first ("Decline…").
NEXT_STEP_ORDER = [
    Status.ACCEPTED,
    Status.IN_SERVICE,
    Status.WAITLISTED,
    Status.NEEDS_CLIENT_ACTION,
    Status.GOT_HELP,
    Status.DECLINED,
    Status.NOT_COMPLETED,
    Status.WITHDRAWN,
]
NEXT_STEP_LABELS = {
    Status.ACCEPTED: _("Accept"),
    Status.IN_SERVICE: _("Start service"),
    Status.WAITLISTED: _("Waitlist"),
    Status.NEEDS_CLIENT_ACTION: _("Needs client action"),
    Status.GOT_HELP: _("Got help"),
    Status.DECLINED: _("Decline"),
    Status.NOT_COMPLETED: _("Not completed"),
    Status.WITHDRAWN: _("Withdraw"),
}


@dataclass(frozen=True)
class StepReason:
    """A reason a next step offers: its value and its label in the language of the page that asked."""

    value: str
    label: str


@dataclass(frozen=True)
class NextStep:
    """One change a person may make in one click: ``reasons`` (those they may give, as ``StepReason``) are asked
    first when the status takes one; ``closes`` says the referral closes (the page asks for a confirmation)."""

    to_status: Status
    label: str
    reasons: tuple
    closes: bool


def status_label(value: str) -> str:
    """A status's name in the active language, or ``value`` itself when it names no status. Worked out once per
    status and language: Django's ``get_status_display()`` builds the field's whole list of choices again on
    every call (~70 µs; Inbound Referrals asked it 25 times a page)."""
    return _label(Status, value, translation.get_language())


def reason_label(value: str) -> str:
    """A reason's name in the active language, or ``value`` itself when it names no reason (as ``status_label``)."""
    return _label(Reason, value, translation.get_language())


@functools.lru_cache(maxsize=512)
def _label(choices, value: str, language: str | None) -> str:
    return str(choices(value).label) if value in choices.values else value


def next_steps(current: str, parties: set) -> list[NextStep]:
    """The one-click changes for someone playing ``parties`` on a referral in ``current``: the allowed targets
    (``allowed_targets``) that need no note. Those that need one (entered in error) stay in the full form.

    Worked out once per status, parties and language (Inbound Referrals asks for every row: ~20 labels a row,
    each translated again where it was printed)."""
    return list(_next_steps(current, frozenset(parties), translation.get_language()))


@functools.lru_cache(maxsize=1024)
def _next_steps(current: str, parties: frozenset, language: str | None) -> tuple[NextStep, ...]:
    allowed = set(allowed_targets(current, parties))
    return tuple(
        NextStep(
            status,
            str(NEXT_STEP_LABELS[status]),  # in ``language``, the active one
            tuple(StepReason(reason.value, str(reason.label)) for reason in allowed_reasons(status, parties)),
            status in CLOSED,
        )
        for status in NEXT_STEP_ORDER
        if status in allowed and not RULES[status].note_required
    )


def undo_target(before: str, after: str, parties: set) -> Status | None:
    """The status a change from ``before`` to ``after`` may be undone to by the same person: ``before`` again,
    when the table lets them move it back from ``after`` without a reason or a note (Accepted → In service can
    go back; a claimer cannot move a referral back to Viewed, and a closing is undone only by reopening)."""
    if before not in Status.values or before == after:
        return None
    rule = RULES.get(Status(before))
    if rule is None or rule.reasons or rule.note_required:
        return None
    return Status(before) if Status(before) in allowed_targets(after, parties) else None
