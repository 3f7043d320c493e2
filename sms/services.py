"""Text messages: who is texted what, the text outbox, and its delivery through the shared core.

``notify_referral_event`` and ``notify_escalation_step`` subscribe to what the referral lifecycle publishes
(``referrals.events``, registered in ``SmsConfig.ready``), inside the change's transaction, as email does: the
``TextMessage`` rows commit or roll back with the change and are queued when it commits. A seeker is texted
when they chose "Text message" and their number can take texts (``seeker_can_be_texted``): the referral
confirmation, the status changes made by someone else that concern them, and the follow-up "Did you get
help?". Each text carries a short link (``/t/<code>/``, ``sms.links``) to the same answer page as email links.

Delivery is the core's (core.outbox: claim under a lease, backoff, sweep, the admin's retry); this module says
how one row is sent (``send_text``, through ``SMS_BACKEND``) and which failures are final: a number that is not
valid, a landline, an opted-out number are marked failed at once and shown on the seeker's profile.
"""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from core import outbox
from core.errors import InvalidInput
from core.outbox import Defer, DeliveryFailed, DeliveryReport
from core.phones import is_textable
from core.templatetags.contact_links import phone_text
from referrals import statuses
from referrals.models import EscalationStep, ReferralEvent
from seekers.models import Seeker

from . import backends, links, quiet, texts
from .models import TextMessage

logger = logging.getLogger(__name__)

Kind = TextMessage.Kind
Status = statuses.Status
Party = statuses.Party

SMS_CHANNEL = "text"
# Texts a person asked for on a page a moment ago: quiet hours do not hold them back.
ASKED_FOR_NOW = {Kind.PROGRAM_DETAILS, Kind.SEEKER_SIGN_IN, Kind.SELF_REFERRAL_CONFIRM}


def seeker_can_be_texted(seeker, *, stopped: bool | None = None) -> bool:
    """Whether ``seeker`` is texted: they chose "Text message", their number is a valid one that may take
    texts (a number kept unread from before validation, flagged "check this number", is never texted), and it
    has not replied STOP (``stopped``, when the caller already knows it for the seeker's number)."""
    return (
        seeker.contact_preference == Seeker.ContactPreference.TEXT
        and not seeker.phone_needs_check
        and is_textable(seeker.phone)
        and not (number_stopped(seeker.phone) if stopped is None else stopped)
    )


def number_stopped(number: str) -> bool:
    """Whether ``number`` replied STOP (and not START since)."""
    from .models import TextOptOut

    return TextOptOut.objects.filter(number=number).exists()


def _site_url(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def _write(kind: str, referral, *, key_prefix: str, wording: str = "", **values) -> list[int]:
    """Writes the seeker's text of ``kind`` about ``referral`` (once per key) and queues it on commit;
    ``wording``: the words of another text of sms.texts.seeker_text, when the kind's own do not fit the case."""
    seeker = referral.seeker
    if not seeker_can_be_texted(seeker):
        return []
    key = f"{key_prefix}:{kind}:s{seeker.pk}"[:200]
    if TextMessage.objects.filter(key=key).exists():
        return []
    language = seeker.preferred_language or "en"
    link = _site_url(links.short_link(referral=referral, seeker=seeker).path)
    counted = texts.seeker_text(wording or kind, language=language, link=link, program=referral.program.name, **values)
    row = TextMessage.objects.create(
        key=key,
        kind=kind,
        referral=referral,
        recipient_seeker=seeker,
        to_number=seeker.phone,
        language=language,
        body=counted.text,
        encoding=counted.encoding,
    )
    outbox.queue_on_commit(SMS_CHANNEL, [row.pk])
    return [row.pk]


def notify_referral_event(event: ReferralEvent) -> None:
    """The texts ``event`` calls for (a referrals.events subscriber, in the change's transaction)."""
    referral = event.referral
    prefix = f"event:{event.public_id}"
    if event.kind == ReferralEvent.Kind.CREATED:
        _write(
            Kind.REFERRAL_CONFIRMATION,
            referral,
            key_prefix=prefix,
            wording="self_referral_sent" if referral.is_self_referral else "",
            expected=texts.expected_response(
                referral.program.expected_response_hours, language=referral.seeker.preferred_language or "en"
            ),
        )
    elif event.kind in (ReferralEvent.Kind.STATUS_CHANGED, ReferralEvent.Kind.REOPENED):
        if event.to_status == Status.VIEWED and event.kind == ReferralEvent.Kind.STATUS_CHANGED:
            return  # a claimer's first look is not news for the seeker
        acting_party = (event.detail or {}).get("party", "")
        if acting_party == Party.SEEKER or (event.via == ReferralEvent.Via.EMAIL_LINK and event.actor_id is None):
            return  # the seeker made the change: they know
        _write(
            Kind.STATUS_CHANGED,
            referral,
            key_prefix=prefix,
            status=texts.seeker_status(referral.status, language=referral.seeker.preferred_language or "en"),
        )


def notify_escalation_step(step: EscalationStep) -> None:
    """The follow-up "Did you get help?" a set number of days after acceptance (an escalation step)."""
    if step.step == EscalationStep.Step.FOLLOW_UP:
        _write(Kind.FOLLOW_UP, step.referral, key_prefix=f"escalation:{step.referral.public_id}")


# ---------------------------------------------------------------------------------------------------------
# Delivery (the core claims, retries, sweeps and records; a text says how it is sent and what failures mean)


def send_text(message: TextMessage) -> dict:
    """Hands one row to ``SMS_BACKEND``. A row whose recipient can no longer be texted (they chose another
    way, or their number was found wrong since) fails without being sent: it would reach them against their
    choice."""
    seeker = message.recipient_seeker
    # Read with the claim (``_claim_annotations``); a row handed over otherwise asks the database.
    stopped = getattr(message, "number_stopped", None)
    if stopped is None:
        stopped = number_stopped(message.to_number)
    if message.kind == Kind.REPLY:  # our answer to their text: only STOP stops it
        if stopped:
            raise DeliveryFailed("Not sent: the number replied STOP.", transient=False)
    elif seeker is not None and (
        seeker.phone != message.to_number or not seeker_can_be_texted(seeker, stopped=stopped)
    ):
        raise DeliveryFailed("Not sent: the person no longer takes texts at this number.", transient=False)
    elif seeker is None and number_stopped(message.to_number):
        raise DeliveryFailed("Not sent: the number replied STOP.", transient=False)
    # A text the person asked for a moment ago (a program's details) goes at once: they are waiting for it.
    until = None if message.kind in ASKED_FOR_NOW else quiet.quiet_until(quiet.zone_of(seeker))
    if until is not None:
        raise Defer(until)  # quiet hours where the seeker lives: it waits, no attempt spent
    try:
        provider_id = backends.get_backend().send(
            to=message.to_number, body=message.body, status_callback=_site_url(reverse("sms:status"))
        )
    except backends.SendFailed as error:
        raise DeliveryFailed(
            error.message, transient=error.transient, fields={"provider_error_code": error.code}
        ) from None
    return {"provider_id": provider_id[:64], "provider_error_code": ""}


def _claim_annotations() -> dict:
    from .models import TextOptOut

    return {"number_stopped": Exists(TextOptOut.objects.filter(number=OuterRef("to_number")))}


def text_delivery_report(message: TextMessage) -> DeliveryReport | None:
    """A text about a referral leaves a "text sent" line in its history (to the seeker, never by number)."""
    if message.referral is None:
        return None
    return DeliveryReport(
        channel=SMS_CHANNEL,
        about=message.referral,
        detail={"notification": message.kind, "to": "Seeker", "message": str(message.public_id)},
    )


def _addressed_to(person) -> Q:
    return Q(recipient_seeker_id=person.seeker_id) | Q(to_number__in=[phone for phone in person.phones if phone])


def _dev_mailbox(limit: int) -> list[dict]:
    """The newest texts as the development mailbox lists them beside the emails."""
    return [
        {
            "when": message.created_at,
            "to": message.to_number,
            "body": message.body,
            "status": message.get_status_display(),
            "kind": message.get_kind_display(),
            "language": message.language,
            "encoding": message.get_encoding_display(),
        }
        for message in TextMessage.objects.order_by("-created_at", "-id")[:limit]
    ]


SMS = outbox.Channel(
    name=SMS_CHANNEL,
    model=TextMessage,
    send=send_text,
    max_attempts=outbox.setting("SMS_MAX_ATTEMPTS", 8),
    retry_base_seconds=outbox.setting("SMS_RETRY_BASE_SECONDS", 30),
    retry_max_seconds=outbox.retry_cap_setting("SMS_RETRY_MAX_SECONDS", 1800),
    lease_seconds=outbox.setting("SMS_SEND_LEASE_SECONDS", 120),
    pending_grace_seconds=outbox.setting("SMS_PENDING_GRACE_SECONDS", 300),
    related=("referral", "recipient_seeker"),
    claim_annotations=_claim_annotations,
    report=text_delivery_report,
    # Personal data (core.outbox): the body names the program and the link; the recipient is a phone number.
    content_fields=("body",),
    recipient_fields=("to_number",),
    about_person=lambda person: Q(referral_id__in=person.referral_ids) | Q(recipient_seeker_id=person.seeker_id),
    addressed_to=lambda person: _addressed_to(person),
    content_retention_days=outbox.setting("NOTIFICATION_BODY_RETENTION_DAYS", 30),
    dev_mailbox=_dev_mailbox,
)


def erase_short_links(person) -> None:
    """core.erasure scrubber: the short links to an erased person's referrals stop working and are removed."""
    from .models import ShortLink

    ShortLink.objects.filter(Q(seeker_id=person.seeker_id) | Q(referral_id__in=person.referral_ids)).delete()


# ---------------------------------------------------------------------------------------------------------
# The public directory


class NumberCannotBeTexted(InvalidInput):
    """The number cannot take this text; the message says why, for the person who typed it."""


def text_program_details(*, program, number: str, language: str, page_url: str) -> int:
    """Texts a program's details and its page's link to ``number`` (E.164, as core.phones read it), which a
    visitor of the public directory typed. Nothing but this outbox row is kept: no seeker, no referral.
    NumberCannotBeTexted for a landline or a number that replied STOP. Returns the row's id."""
    _require_textable(number, language)
    address = ", ".join(part for part in (program.address, program.city) if part)
    counted = texts.program_details_text(
        language=language,
        program=program.name,
        phone=phone_text(program.phone) if program.phone else "",
        address=address,
        link=page_url,
    )
    return _public_text(Kind.PROGRAM_DETAILS, number=number, language=language, counted=counted)


def _require_textable(number: str, language: str) -> None:
    """NumberCannotBeTexted, in ``language``, for a landline or a number that replied STOP."""
    with translation.override(language):
        if not is_textable(number):
            raise NumberCannotBeTexted(
                gettext("That number looks like a landline, which cannot get texts. Enter a mobile number.")
            )
        if number_stopped(number):
            raise NumberCannotBeTexted(
                gettext(
                    "That number asked us to stop texting it (it replied STOP). Text START to our number to "
                    "get texts again, or enter an email address."
                )
            )


def _public_text(kind: str, *, number: str, language: str, counted) -> int:
    """A text to a number a member of the public typed: no seeker, no referral on the row. Returns its id."""
    row = TextMessage.objects.create(
        key=f"{kind}:{uuid.uuid4().hex}",
        kind=kind,
        to_number=number,
        language=language,
        body=counted.text,
        encoding=counted.encoding,
    )
    outbox.queue_on_commit(SMS_CHANNEL, [row.pk])
    return row.pk


def text_seeker_sign_in(*, number: str, language: str, link: str, code: str, minutes: int) -> int | None:
    """Texts the one-time sign-in code and link for "My referrals"; None (nothing written) when the number
    cannot take texts (a landline, or it replied STOP): the page answers the same."""
    if not is_textable(number) or number_stopped(number):
        return None
    counted = texts.code_text("seeker_sign_in", language=language, link=link, code=code, minutes=minutes)
    return _public_text(Kind.SEEKER_SIGN_IN, number=number, language=language, counted=counted)


def text_self_referral_confirm(
    *, number: str, language: str, link: str, code: str, program: str, page_language: str = ""
) -> int:
    """Texts the code and link that confirm a request for help to ``program``, in ``language``.
    NumberCannotBeTexted for a landline or a number that replied STOP (the form says so, in ``page_language``, the
    form's, when given: the request cannot be confirmed there)."""
    _require_textable(number, page_language or language)
    counted = texts.code_text("self_referral_confirm", language=language, link=link, code=code, program=program)
    return _public_text(Kind.SELF_REFERRAL_CONFIRM, number=number, language=language, counted=counted)
