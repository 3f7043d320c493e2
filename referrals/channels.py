"""The channel of each change in a referral's history, and the channel by which the seeker's answer came.

Every history line records how the change arrived (``ReferralEvent.via``: web, email link, text message, API,
FHIR, admin, system) and who made it (``actor``, the user; none for the seeker and the system; a status change
also names the acting ``party`` in its ``detail``). The one thing ``via`` alone does not tell is the seeker on
their own page ("signed in") from a staff member on the web: both arrive by the web. A seeker's line has no
user and no organization; a user's line has the user.

The reports count the seeker's answers (got help, couldn't get help, no longer interested) by the channel
that carried them, so a network sees which channel closes the loop; the API and FHIR show each history
line's channel (``event_channel``). The channel of a referral's latest answer is read from its history
(``answer_channel``, the definition) and also kept on the referral (``Referral.answer_channel``), set by
``referral_change_status`` with the history line (``answer_channel_of``), so that the organization report
reads it with the referral instead of looking it up in the history of each (``refill_answer_channels``
repairs it from the history, after writes that bypass the services: the demo, the benchmark's generator).
"""

from __future__ import annotations

from django.db.models import Case, CharField, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from .models import Referral, ReferralEvent, seeker_answer_q
from .statuses import SEEKER_ANSWERS, Party

Via = ReferralEvent.Via
Kind = ReferralEvent.Kind


class Channel:
    """How a change reached the referral (one vocabulary for the API, FHIR and the reports)."""

    EMAIL_LINK = "email_link"
    TEXT = "text"
    SIGNED_IN = "signed_in"  # the seeker on their own page ("my referrals")
    WEB = "web"  # a staff member on the dashboards
    API = "api"
    FHIR = "fhir"
    ADMIN = "admin"
    SYSTEM = "system"
    LABELS = {
        EMAIL_LINK: "Email link",
        TEXT: "Text message",
        SIGNED_IN: "Signed in (the seeker's own page)",
        WEB: "Web",
        API: "API",
        FHIR: "FHIR",
        ADMIN: "Admin",
        SYSTEM: "System",
    }


class ActorType:
    USER = "user"
    SEEKER = "seeker"
    SYSTEM = "system"


def event_actor_type(event: ReferralEvent) -> str:
    """Who made the change: a user, the seeker, or the system (see the module's docstring)."""
    if event.via == Via.SYSTEM:
        return ActorType.SYSTEM
    if event.actor_id is not None:
        return ActorType.USER
    if (event.detail or {}).get("party") == Party.SEEKER or not event.actor_organization:
        return ActorType.SEEKER
    return ActorType.USER  # a user whose account was since deleted: their organization is still named


def event_channel(event: ReferralEvent) -> str:
    """The channel of one history line: its ``via``, except the seeker's own page reads "signed_in"."""
    if event.via == Via.WEB and event_actor_type(event) == ActorType.SEEKER:
        return Channel.SIGNED_IN
    return event.via if event.via in Channel.LABELS else Channel.WEB


# ------------------------------------------------------------------------------------------ the seeker's answers


class AnswerChannel:
    """The channel that carried the seeker's answer; STAFF: a person on the seeker's side recorded it for them
    (the referrer, a teammate it is shared with, an organization admin), by any channel."""

    EMAIL_LINK = Channel.EMAIL_LINK
    TEXT = Channel.TEXT
    SIGNED_IN = Channel.SIGNED_IN
    STAFF = "staff"
    ORDER = [EMAIL_LINK, TEXT, SIGNED_IN, STAFF]
    LABELS = {
        EMAIL_LINK: "Email link",
        TEXT: "Text message",
        SIGNED_IN: "Signed in (the seeker's own page)",
        STAFF: "Staff, for the seeker",
    }
    NONE_LABEL = "No answer from the seeker yet"


def _answer_channel_case() -> Case:
    seeker = Q(detail__party=Party.SEEKER.value)
    return Case(
        When(seeker & Q(via=Via.EMAIL_LINK), then=Value(AnswerChannel.EMAIL_LINK)),
        When(seeker & Q(via=Via.TEXT), then=Value(AnswerChannel.TEXT)),
        When(seeker, then=Value(AnswerChannel.SIGNED_IN)),
        default=Value(AnswerChannel.STAFF),
        output_field=CharField(),
    )


def answer_channel_of(*, to_status: str, reason: str, party, via: str) -> str:
    """The channel of a status change if it records one of the seeker's answers (as ``seeker_answer_q`` and
    ``_answer_channel_case`` read it from the history line), else ""."""
    if (to_status, reason) not in {(str(status), str(why)) for status, why in SEEKER_ANSWERS.values()}:
        return ""
    if party not in (Party.SEEKER, Party.REFERRER, Party.ADMIN):
        return ""
    if party != Party.SEEKER:
        return AnswerChannel.STAFF
    if via == Via.EMAIL_LINK:
        return AnswerChannel.EMAIL_LINK
    if via == Via.TEXT:
        return AnswerChannel.TEXT
    return AnswerChannel.SIGNED_IN


def refill_answer_channels(referrals=None) -> int:
    """Sets ``Referral.answer_channel`` from the history where they differ (``referrals``: a queryset of
    referrals, default all), in one UPDATE; returns how many were set."""
    everyone = "the answer channel kept on every referral, refilled from its history (demo, benchmark, repair)"
    referrals = Referral.objects.unscoped(everyone) if referrals is None else referrals
    differing = referrals.annotate(looked_up=answer_channel()).exclude(answer_channel=F("looked_up"))
    return (
        Referral.objects.unscoped(everyone)
        .filter(pk__in=differing.values("pk"))
        .update(answer_channel=answer_channel())
    )


def answer_channel(referral_ref: str = "pk"):
    """An expression for a referral queryset: the channel of the seeker's latest answer on the referral
    (``OuterRef(referral_ref)``), or "" when none was given. One indexed lookup per referral
    (``event_by_referral``) inside the caller's statement: no query of its own."""
    latest = (
        ReferralEvent.objects.unscoped("the history of each referral the caller's own query has chosen")
        .filter(seeker_answer_q(), referral_id=OuterRef(referral_ref))
        .order_by("-created_at", "-id")
        .annotate(channel=_answer_channel_case())
        .values("channel")[:1]
    )
    return Coalesce(Subquery(latest, output_field=CharField()), Value(""), output_field=CharField())
