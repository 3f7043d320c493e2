"""What a seeker says by replying to a text message: an answer about their referral, or STOP and START.

The text channel (``sms``) parses the reply and calls these; ``referrals`` decides and records, as it does for
answers given through signed links (``services.referral_answer_by_link``). This is the one module of the
referral services a channel may call (tests/referrals/test_events.py): everything else a channel learns
through ``referrals.events``.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext

from . import statuses
from .actors import Actor
from .answers import SEEKER_ANSWERS, LinkAnswer, LinkResult
from .errors import IllegalTransition, InvalidInput, ReferralError
from .models import Referral, ReferralEvent
from .services import record_event, referral_change_status

Via = ReferralEvent.Via

# The statuses in which the seeker may still give one of their answers (got help, couldn't, no longer
# interested): their referrals "awaiting an answer".
ANSWERABLE = tuple(
    status.value
    for status in statuses.Status
    if {target for target, _reason in SEEKER_ANSWERS.values()}
    & set(statuses.allowed_targets(status, {statuses.Party.SEEKER}))
)


def referral_awaiting_answer(*, seekers) -> Referral | None:
    """The most recent referral of ``seekers`` (the profiles that share the number a reply came from) that
    still awaits the seeker's answer, or None."""
    return (
        Referral.objects.unscoped("a text reply names the referrals of the profiles with its number")
        .filter(seeker__in=seekers, status__in=ANSWERABLE)
        .select_related("seeker", "program")
        .order_by("-sent_at", "-pk")
        .first()
    )


@transaction.atomic
def referral_answer_by_text(*, referral: Referral, seeker, choice: str) -> LinkResult:
    """Records a seeker's answer by text ("1": got help, "2": couldn't get help, "3": no longer interested):
    the reply in the history ("answered by text"), then the status change with the text message as its
    channel, so the status table decides. An answer already recorded changes nothing and says so; a refused
    one is a result with its message, never an exception."""
    if choice not in SEEKER_ANSWERS:
        raise InvalidInput("That is not one of the answers.")
    actor = Actor.for_seeker(seeker, via=Via.TEXT)
    current = Referral.objects.unscoped("the referral a text reply answers").select_for_update().get(pk=referral.pk)
    record_event(referral=current, kind=ReferralEvent.Kind.TEXT_REPLY, actor=actor, detail={"choice": choice})
    to_status, reason = SEEKER_ANSWERS[choice]
    if current.status == to_status and (current.status_reason or "") == (reason or ""):
        return LinkResult(LinkAnswer.ALREADY, referral=current)
    try:
        with transaction.atomic():
            changed = referral_change_status(actor=actor, referral=current, to_status=to_status, reason=reason)
    except IllegalTransition as error:
        if error.context.get("already"):
            return LinkResult(LinkAnswer.ALREADY, referral=current)
        return LinkResult(LinkAnswer.REFUSED, error.message, referral=current)
    except ReferralError as error:
        return LinkResult(
            LinkAnswer.REFUSED, error.message or gettext("That answer cannot be given now."), referral=current
        )
    return LinkResult(LinkAnswer.RECORDED, referral=changed)


def referral_record_texts_stopped(*, referral: Referral, seeker, keyword: str, stopped: bool) -> ReferralEvent:
    """Records in ``referral``'s history that the seeker replied STOP (``stopped``) or START to our texts."""
    kind = ReferralEvent.Kind.TEXTS_STOPPED if stopped else ReferralEvent.Kind.TEXTS_RESUMED
    return record_event(
        referral=referral, kind=kind, actor=Actor.for_seeker(seeker, via=Via.TEXT), detail={"keyword": keyword[:20]}
    )
