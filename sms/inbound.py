"""What arrives from the provider: replies from seekers and delivery reports (Twilio's webhook format).

``POST /sms/inbound/`` and ``POST /sms/status/`` (sms/views.py) are accepted only with a valid
``X-Twilio-Signature``: the ``twilio`` package's ``RequestValidator`` keyed with ``TWILIO_AUTH_TOKEN``, over the
URL as the provider was given it (``SITE_URL`` and the path: behind a proxy the request's own host and scheme
are not what Twilio signed) and the form fields. Anything else is refused (403) and changes nothing.

A reply is read as one of:

- an opt-out word (``STOP`` and the carriers' others: ``STOPALL``, ``UNSUBSCRIBE``, ``CANCEL``, ``END``,
  ``QUIT``; Spanish ``PARAR``, ``ALTO``): the number gets no more texts (``TextOptOut``), recorded in the history
  of the seeker's most recent referral. No reply from us: the provider and the carrier confirm the opt-out;
- an opt-in word (``START``, ``YES``, ``UNSTOP``; Spanish ``COMENZAR``): texts resume, recorded, and confirmed;
- a help word (``HELP``, ``INFO``; Spanish ``AYUDA``): what to reply, and how to stop;
- an answer (``1`` got help, ``2`` couldn't get help, ``3`` no longer interested, or the words, in English
  or Spanish): it applies to the most recent referral awaiting the seeker's answer, through
  ``referrals.replies`` (the history says "answered by text"), and is confirmed;
- anything else: one text saying what to reply; nothing changes.

Every text we send back is an outbox row like any other (quiet hours included).
"""

from __future__ import annotations

import logging
import re
import unicodedata
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core import outbox
from core.phones import PhoneNumberRefused, parse_phone
from referrals import replies
from referrals.answers import LinkAnswer
from seekers.models import Seeker

from . import texts
from .models import TextMessage, TextOptOut

logger = logging.getLogger(__name__)

STOP_WORDS = {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "parar", "alto"}
START_WORDS = {"start", "yes", "unstop", "comenzar"}
HELP_WORDS = {"help", "info", "ayuda"}
ANSWER_WORDS = {
    "got_help": {"1", "got help", "i got help", "recibi ayuda", "si recibi ayuda"},
    "couldnt_get_help": {
        "2",
        "couldnt get help",
        "could not get help",
        "i couldnt get help",
        "no help",
        "no recibi ayuda",
        "no pude recibir ayuda",
    },
    "no_longer_interested": {
        "3",
        "no longer interested",
        "not interested",
        "im no longer interested",
        "ya no me interesa",
        "no me interesa",
    },
}
# Twilio's delivery statuses that mean the text never reached the phone.
UNDELIVERED = {"undelivered", "failed"}


def normalize(body: str) -> str:
    """ "Recibí ayuda!" → "recibi ayuda": lower case, accents and punctuation gone, spaces collapsed."""
    text = unicodedata.normalize("NFKD", body or "")
    text = "".join(character for character in text if not unicodedata.combining(character))
    text = re.sub(r"[^\w\s]", "", text.lower().replace("’", "").replace("'", ""))
    return " ".join(text.split())[:200]


def read_reply(body: str) -> tuple[str, str]:
    """(what, value): ("stop"|"start"|"help", word), ("answer", choice) or ("unclear", "")."""
    text = normalize(body)
    first = text.split(" ", 1)[0] if text else ""
    if text in STOP_WORDS or (first in STOP_WORDS and len(text.split()) <= 2):
        return "stop", first
    if text in START_WORDS:
        return "start", text
    if text in HELP_WORDS:
        return "help", text
    for choice, words in ANSWER_WORDS.items():
        if text in words:
            return "answer", choice
    return "unclear", ""


@dataclass
class Handled:
    what: str
    changed: bool = False
    reply_id: int | None = None


def _seekers_with(number: str) -> list:
    return list(
        Seeker.objects.unscoped("a text reply names the profiles that have its number")
        .filter(phone=number)
        .order_by("-last_activity_at")
    )


def _reply(kind: str, *, number: str, seeker, body: texts.Counted, key: str, referral=None) -> int:
    row, created = TextMessage.objects.get_or_create(
        key=key[:200],
        defaults={
            "kind": kind,
            "referral": referral,
            "recipient_seeker": seeker,
            "to_number": number,
            "language": (seeker.preferred_language if seeker else "en") or "en",
            "body": body.text,
            "encoding": body.encoding,
        },
    )
    if created:
        outbox.queue_on_commit("text", [row.pk])
    return row.pk


@transaction.atomic
def handle_reply(*, from_number: str, body: str, message_sid: str) -> Handled:
    """Acts on one reply (``message_sid``: the provider's id, so a webhook delivered twice acts once)."""
    try:
        number = parse_phone(from_number)
    except PhoneNumberRefused:
        number = ""
    if not number:
        logger.info("Text reply from an unreadable number %r: ignored", from_number[:40])
        return Handled("unknown")
    key = f"reply:{message_sid[:64]}" if message_sid else f"reply:{uuid.uuid4().hex}"
    if TextMessage.objects.filter(key=key).exists():  # the provider delivered this webhook twice
        return Handled("duplicate")
    what, value = read_reply(body)
    seekers = _seekers_with(number)
    seeker = seekers[0] if seekers else None
    language = (seeker.preferred_language if seeker else "en") or "en"
    if what == "stop":
        TextOptOut.objects.update_or_create(
            number=number, defaults={"keyword": value[:20], "stopped_at": timezone.now()}
        )
        _record_opt(seekers, keyword=value, stopped=True)
        return Handled("stop", changed=True)
    if what == "start":
        stopped = TextOptOut.objects.filter(number=number).delete()[0] > 0
        if stopped:
            _record_opt(seekers, keyword=value, stopped=False)
        reply = _reply(
            TextMessage.Kind.REPLY,
            number=number,
            seeker=seeker,
            key=key,
            body=texts.reply_text("resumed", language=language),
        )
        return Handled("start", changed=stopped, reply_id=reply)
    if seeker is None:  # nobody we know: no answer can apply; say so once
        reply = _reply(
            TextMessage.Kind.REPLY,
            number=number,
            seeker=None,
            key=key,
            body=texts.reply_text("unknown_number", language="en"),
        )
        return Handled("unknown", reply_id=reply)
    if what == "answer":
        referral = replies.referral_awaiting_answer(seekers=seekers)
        if referral is None:
            reply = _reply(
                TextMessage.Kind.REPLY,
                number=number,
                seeker=seeker,
                key=key,
                body=texts.reply_text("nothing_awaiting", language=language),
            )
            return Handled("nothing awaiting", reply_id=reply)
        result = replies.referral_answer_by_text(referral=referral, seeker=referral.seeker, choice=value)
        recorded = result.outcome in (LinkAnswer.RECORDED, LinkAnswer.ALREADY)
        reply = _reply(
            TextMessage.Kind.REPLY,
            number=number,
            seeker=referral.seeker,
            key=key,
            referral=referral,
            body=texts.reply_text(
                "answer_recorded" if recorded else "answer_refused",
                language=language,
                program=referral.program.name,
                answer=value,
            ),
        )
        return Handled("answer", changed=result.outcome == LinkAnswer.RECORDED, reply_id=reply)
    reply = _reply(
        TextMessage.Kind.REPLY,
        number=number,
        seeker=seeker,
        key=key,
        body=texts.reply_text("help" if what == "help" else "unclear", language=language),
    )
    return Handled(what, reply_id=reply)


def _record_opt(seekers, *, keyword: str, stopped: bool) -> None:
    """The history of each profile's most recent referral says the person replied STOP (or START)."""
    from referrals.models import Referral

    for seeker in seekers:
        referral = (
            Referral.objects.unscoped("the most recent referral of the profile that replied")
            .filter(seeker=seeker)
            .order_by("-sent_at", "-pk")
            .first()
        )
        if referral is not None:
            replies.referral_record_texts_stopped(
                referral=referral, seeker=seeker, keyword=keyword.upper(), stopped=stopped
            )


def handle_status(*, message_sid: str, status: str, error_code: str = "") -> bool:
    """A delivery report: the row's provider status (and, when undelivered, why). False for an unknown id."""
    from .backends import PERMANENT_TWILIO_CODES

    status = (status or "")[:20].lower()
    code = (error_code or "")[:10]
    fields = {"provider_status": status}
    if status in UNDELIVERED:
        number = int(code) if code.isdigit() else 0
        fields["provider_error_code"] = code
        fields["last_error"] = PERMANENT_TWILIO_CODES.get(number) or (
            f"The carrier reported it {status}" + (f" (error {code})." if code else ".")
        )
    return TextMessage.objects.filter(provider_id=message_sid[:64]).exclude(provider_id="").update(**fields) > 0


def callback_url(path: str) -> str:
    """The URL the provider was given (and signs): SITE_URL with ``path``."""
    return f"{settings.SITE_URL.rstrip('/')}{path}"
