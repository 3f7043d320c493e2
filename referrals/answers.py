"""The answers a signed link offers its recipient, whatever carried the link (an email today).

A link names one referral and one recipient (``referrals.links``): the seeker, or a user with a part in the
referral. The seeker gets three plain answers (and may stop the sharing of their contact details); a user
gets the statuses their parties may set. The status table decides in both cases. Recording an answer is a
service: ``referrals.services.referral_answer_by_link``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext

from . import statuses
from .actors import Actor
from .policies import referral_access
from .statuses import Party, Status

# The seeker's one-click answers (each opens the link page with the answer chosen; a POST records it): defined
# beside the status table, as the history index of the seeker's answers is built from them (referrals.models).
SEEKER_ANSWERS = statuses.SEEKER_ANSWERS
WITHDRAW_CONSENT = "withdraw_consent"
# A claimer's "still waitlisted" (or accepted, ...): the status holds; a new stall period starts (stalls).
CONFIRM_STATUS = "confirm"


def confirm_label(status) -> str:
    return gettext("Still “%(status)s”") % {"status": Status(status).label}


def seeker_answer_labels() -> dict:
    return {
        "got_help": gettext("I got help"),
        "couldnt_get_help": gettext("I couldn't get help"),
        "no_longer_interested": gettext("I'm no longer interested"),
    }


@dataclass(frozen=True)
class LinkRecipient:
    """Who a link names: exactly one of ``user`` and ``seeker``."""

    user: object | None = None
    seeker: object | None = None


class LinkAnswer:
    RECORDED = "recorded"
    ALREADY = "already"
    REFUSED = "refused"


@dataclass
class LinkResult:
    outcome: str
    message: str = ""
    referral: object | None = None


def answer_choices(*, referral, recipient) -> list[dict]:
    """What the link's recipient may do now: [{"value", "label", "reasons": [(value, label)]}].

    For the seeker, the three plain answers the status table lets them give; for a user, the statuses
    their parties may set (a note-requiring change such as "entered in error" needs the dashboard).
    """
    if recipient.seeker is not None:
        allowed = set(statuses.allowed_targets(referral.status, {Party.SEEKER}))
        labels = seeker_answer_labels()
        choices = [
            {"value": answer, "label": labels[answer], "reasons": []}
            for answer, (status, _reason) in SEEKER_ANSWERS.items()
            if status in allowed
        ]
        if referral.has_consent:  # privacy: the seeker may withdraw consent from the link (issue 6)
            choices.append(
                {
                    "value": WITHDRAW_CONSENT,
                    "reasons": [],
                    "label": gettext("Stop sharing my contact details with the program"),
                }
            )
        return choices
    access = referral_access(Actor.for_user(recipient.user), referral)
    choices = []
    if access.may("confirm_status"):
        choices.append({"value": CONFIRM_STATUS, "label": confirm_label(referral.status), "reasons": []})
    for status in access.status_targets():
        rule = statuses.RULES[status]
        if status == Status.VIEWED or rule.note_required:
            continue
        reasons = [(reason.value, reason.label) for reason in access.reasons(status)]
        choices.append({"value": status.value, "label": status.label, "reasons": reasons})
    return choices
