"""The seeker's sign-in by a one-time link or code, and what a signed-in seeker does on their referrals.

``sign_in_request`` writes a ``SignInCode`` and sends its link and code (email outbox or text outbox) only when
some seeker record has the contact; the caller answers the same either way, so the page never tells whether an
address is known. ``sign_in_with_code`` and ``sign_in_with_link`` use a code up (once, within its minutes; a few
wrong codes use it up too). The seeker's answers and consent withdrawal go through ``referrals.services`` as the
seeker of that referral, signed in (the history says "Seeker (signed in)").
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext

from core.contacts import Contact
from core.errors import InvalidInput
from notifications.services import notify_seeker_sign_in, notify_self_referral_confirm
from referrals import services as referral_services
from referrals.actors import Actor
from referrals.answers import SEEKER_ANSWERS, WITHDRAW_CONSENT
from referrals.errors import DuplicateOpenReferral, IllegalTransition, ReferralError
from referrals.models import Referral, ReferralEvent
from sms.services import text_seeker_sign_in, text_self_referral_confirm

from . import selectors
from .models import SelfReferralRequest, SignInCode

WRONG_CODES_ALLOWED = 5


def minutes() -> int:
    return int(getattr(settings, "SEEKER_SIGN_IN_MINUTES", 15))


def _digest(purpose: str, secret: str) -> str:
    return salted_hmac(f"seeker_door.{purpose}", secret, algorithm="sha256").hexdigest()


@dataclass(frozen=True)
class Issued:
    token: str
    code: str
    row: SignInCode


@transaction.atomic
def sign_in_request(*, contact: Contact, language: str) -> Issued | None:
    """Sends a one-time sign-in link and code to ``contact`` when a seeker record has it; None (and nothing
    written) otherwise. The caller's answer must not depend on which."""
    if not selectors.has_seeker_records(contact):
        return None
    token = secrets.token_urlsafe(24)  # 192 bits; short enough for a text
    code = f"{secrets.randbelow(10**6):06d}"
    now = timezone.now()
    row = SignInCode.objects.create(
        created_at=now,
        contact_kind=contact.kind,
        contact=contact.value,
        token_digest=_digest("token", token),
        code_digest=_digest("code", f"{contact.kind}:{contact.value.lower()}:{code}"),
        expires_at=now + timedelta(minutes=minutes()),
    )
    link = f"{settings.SITE_URL.rstrip('/')}{reverse('seeker_door:link', kwargs={'token': token})}"
    if contact.is_email:
        notify_seeker_sign_in(email=contact.value, language=language, link=link, code=code, minutes=minutes())
    else:
        text_seeker_sign_in(number=contact.value, language=language, link=link, code=code, minutes=minutes())
    return Issued(token=token, code=code, row=row)


def _usable(now):
    return SignInCode.objects.select_for_update().filter(used_at__isnull=True, expires_at__gt=now)


@transaction.atomic
def sign_in_with_code(*, contact: Contact, code: str) -> Contact | None:
    """The contact, verified, when ``code`` is the code of one of its unused, unexpired sign-ins (which is then
    used up); None otherwise. A wrong code counts against every open sign-in of the contact, and
    WRONG_CODES_ALLOWED wrong codes use them up."""
    now = timezone.now()
    code = (code or "").strip().replace(" ", "")
    rows = list(_usable(now).filter(contact_kind=contact.kind, contact__iexact=contact.value))
    wanted = _digest("code", f"{contact.kind}:{contact.value.lower()}:{code}")
    for row in rows:
        if constant_time_compare(row.code_digest, wanted):
            row.used_at = now
            row.save(update_fields=["used_at"])
            return Contact(row.contact_kind, row.contact)
    for row in rows:
        row.wrong_codes += 1
        if row.wrong_codes >= WRONG_CODES_ALLOWED:
            row.used_at = now
        row.save(update_fields=["wrong_codes", "used_at"])
    return None


@transaction.atomic
def sign_in_with_link(*, token: str) -> Contact | None:
    """The contact the link was sent to, verified, when ``token`` is an unused, unexpired link (then used up)."""
    now = timezone.now()
    row = _usable(now).filter(token_digest=_digest("token", token or "")).first()
    if row is None:
        return None
    row.used_at = now
    row.save(update_fields=["used_at"])
    return Contact(row.contact_kind, row.contact)


def link_is_usable(*, token: str) -> bool:
    """Whether the link still works (its page says so before the person presses the button)."""
    return SignInCode.objects.filter(
        token_digest=_digest("token", token or ""), used_at__isnull=True, expires_at__gt=timezone.now()
    ).exists()


def sign_ins_clear_expired(*, now=None) -> int:
    """Deletes sign-in rows a day after they expired (they stopped working when they expired). Returns how many."""
    now = now or timezone.now()
    deleted, _ = SignInCode.objects.filter(expires_at__lt=now - timedelta(days=1)).delete()
    return deleted


class AnswerRefused(InvalidInput):
    """The seeker's answer cannot be recorded; the message says why, in their words."""


def seeker_answer(*, referral: Referral, choice: str, via: str = ReferralEvent.Via.SIGNED_IN) -> Referral:
    """Records a seeker's answer on their own referral ("I got help", "I couldn't get help", "I'm no longer
    interested", or withdrawing consent to share their details) through the referrals services, as the
    referral's seeker (``via``: signed in by a link or code, or their own account on the web). The caller found
    ``referral`` among the seeker's own. AnswerRefused when the status table does not allow it now."""
    actor = Actor.for_seeker(referral.seeker, via=via)
    if choice == WITHDRAW_CONSENT:
        if referral.consent_withdrawn_at is not None:
            raise AnswerRefused(gettext("You already stopped sharing your contact details with this program."))
        return referral_services.referral_withdraw_consent(actor=actor, referral=referral)
    if choice not in SEEKER_ANSWERS:
        raise AnswerRefused(gettext("That is not one of the choices."))
    to_status, reason = SEEKER_ANSWERS[choice]
    try:
        with transaction.atomic():
            return referral_services.referral_change_status(
                actor=actor, referral=referral, to_status=to_status, reason=reason
            )
    except IllegalTransition as error:
        if error.context.get("already"):
            raise AnswerRefused(gettext("That is already what your referral says.")) from None
        raise AnswerRefused(
            gettext("That answer cannot be given now: the referral is closed or the program already answered.")
        ) from None
    except ReferralError as error:
        raise AnswerRefused(error.message) from None


# ---------------------------------------------------------------------------------------------------------
# Asking a program for help (self-referral)


def self_referral_hours() -> int:
    return int(getattr(settings, "SELF_REFERRAL_HOURS", 24))


class SelfReferralRefused(InvalidInput):
    """The request for help cannot go on; the message says why in the person's words."""


def _self_referral_code_digest(row_public_id, code: str) -> str:
    return _digest("self_referral_code", f"{row_public_id}:{code}")


def program_takes_self_referrals(program) -> bool:
    return bool(program.accepts_referrals and program.organization.is_active)


def _not_accepting(program) -> SelfReferralRefused:
    return SelfReferralRefused(
        gettext(
            "%(program)s stopped accepting new people since you opened its page, so your request was not sent. "
            "Call them, or find another program."
        )
        % {"program": program.name}
    )


def consent_wording(program, *, with_answers: bool = False) -> str:
    """What the person ticks, in the active language: whom their details go to and what for (``with_answers``:
    the program asks intake questions, so the answers go too)."""
    if with_answers:
        return gettext(
            "I agree that %(program)s (%(organization)s) receives my name, my email address or mobile number, my "
            "language, my message and my answers to its questions, and contacts me about my request. I can stop "
            "this sharing at any time from “My referrals”."
        ) % {"program": program.name, "organization": program.organization.name}
    return gettext(
        "I agree that %(program)s (%(organization)s) receives my name, my email address or mobile number, my "
        "language and my message, and contacts me about my request. I can stop this sharing at any time from "
        "“My referrals”."
    ) % {"program": program.name, "organization": program.organization.name}


def _intake_answers(program, answers) -> list[dict]:
    """The program's intake questions as asked now, each with the answer given (programs.intake.clean_answers),
    or SelfReferralRefused naming each refused answer ``answers.<question id>`` (in the active language)."""
    from programs.intake import clean_answers
    from programs.selectors import program_questions

    if answers is not None and not isinstance(answers, dict):
        raise SelfReferralRefused(gettext("Give the answers by question id."), field="answers")
    questions = program_questions(program)
    if not questions and not answers:
        return []
    checked, errors = clean_answers(questions, answers or {})
    if errors:
        raise SelfReferralRefused(errors={f"answers.{question_id}": message for question_id, message in errors.items()})
    return checked


@transaction.atomic
def self_referral_request(
    *,
    program,
    first_name: str,
    last_name: str,
    contact: Contact,
    language: str,
    message: str,
    answers: dict | None = None,
) -> Issued:
    """Writes an unconfirmed request for help to ``program`` and sends its code and link to ``contact`` (email
    outbox, or text outbox: NumberCannotBeTexted for a landline or a stopped number, and nothing is written).
    Nothing reaches the program until the person confirms (``self_referral_confirm``). SelfReferralRefused when
    the program no longer accepts referrals, or when ``answers`` ({question id: value}) do not answer the
    program's intake questions as programs.intake.clean_answers requires (``errors`` by ``answers.<question
    id>``; nothing is written or sent). The answers are kept as asked (each question's snapshot with its answer),
    and the consent the person ticked in their language."""
    if not program_takes_self_referrals(program):
        raise _not_accepting(program)
    intake_answers = _intake_answers(program, answers)
    token = secrets.token_urlsafe(24)
    code = f"{secrets.randbelow(10**6):06d}"
    now = timezone.now()
    row = SelfReferralRequest(
        program=program,
        first_name=first_name,
        last_name=last_name,
        contact_kind=contact.kind,
        contact=contact.value,
        language=language,
        message=message,
        intake_answers=intake_answers,
        consent_wording=consent_wording(program, with_answers=bool(intake_answers)),
        token_digest=_digest("self_referral_token", token),
        created_at=now,
        expires_at=now + timedelta(hours=self_referral_hours()),
    )
    row.code_digest = _self_referral_code_digest(row.public_id, code)
    row.save()
    link = f"{settings.SITE_URL.rstrip('/')}{reverse('seeker_door:ask_link', kwargs={'token': token})}"
    if contact.is_email:
        notify_self_referral_confirm(
            email=contact.value, language=language, link=link, code=code, program=program, hours=self_referral_hours()
        )
    else:
        text_self_referral_confirm(
            number=contact.value,
            language=language,
            link=link,
            code=code,
            program=program.name,
            page_language=translation.get_language() or "",
        )
    return Issued(token=token, code=code, row=row)


def self_referral_pending(*, public_id) -> SelfReferralRequest | None:
    """The unexpired request with that id (its code page), or None."""
    return (
        SelfReferralRequest.objects.select_related("program", "program__organization")
        .filter(public_id=public_id, expires_at__gt=timezone.now())
        .first()
    )


def self_referral_link_usable(*, token: str) -> SelfReferralRequest | None:
    return (
        SelfReferralRequest.objects.select_related("program", "program__organization")
        .filter(token_digest=_digest("self_referral_token", token or ""), expires_at__gt=timezone.now())
        .first()
    )


def self_referral_confirm_with_code(*, public_id, code: str) -> Referral:
    """Confirms the request ``public_id`` with the code sent to its address, and makes its referral
    (``_confirm``). SelfReferralRefused for a wrong, expired or used code (counted: WRONG_CODES_ALLOWED wrong codes
    use the request up, it is deleted) and whatever ``_confirm`` refuses."""
    with transaction.atomic():
        row = SelfReferralRequest.objects.select_for_update().filter(public_id=public_id).first()
        if row is not None and row.expires_at > timezone.now():
            code = (code or "").strip().replace(" ", "")
            if constant_time_compare(row.code_digest, _self_referral_code_digest(row.public_id, code)):
                return _confirm(row)
            row.wrong_codes += 1
            if row.wrong_codes >= WRONG_CODES_ALLOWED:
                row.delete()
            else:
                row.save(update_fields=["wrong_codes"])
    # Raised after the count was kept (a refusal inside the transaction would undo it).
    raise SelfReferralRefused(_code_refusal())


@transaction.atomic
def self_referral_confirm_with_link(*, token: str) -> Referral:
    """Confirms the request the link was sent for, once; SelfReferralRefused for a used or expired link."""
    row = (
        SelfReferralRequest.objects.select_for_update()
        .filter(token_digest=_digest("self_referral_token", token or ""), expires_at__gt=timezone.now())
        .first()
    )
    if row is None:
        raise SelfReferralRefused(
            gettext(
                "This link no longer works: the request was sent already, or its %(hours)d hours are over. "
                "Ask the program again."
            )
            % {"hours": self_referral_hours()}
        )
    return _confirm(row)


def _code_refusal() -> str:
    return gettext(
        "That code is not right, or your request expired or was sent already. Check the newest message we sent."
    )


def _confirm(row: SelfReferralRequest) -> Referral:
    """The address is proved: the seeker (kept by the program's organization) and the inbound self-referral are
    made through seekers.services and referrals.services (with the answers to the intake questions as they were
    asked on the form, even if the program changed its questions since), and the request is deleted. On a refusal (the program
    stopped accepting, an open request to it already) the caller's transaction is undone: nothing is made and
    the request stays until it expires."""
    from programs.models import Program
    from seekers.services import seeker_for_self_referral

    program = (
        Program.objects.unscoped("the program a confirmed request for help goes to, locked")
        .select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=row.program_id)
    )
    if not program_takes_self_referrals(program):
        raise _not_accepting(program)
    try:
        with transaction.atomic():
            seeker = seeker_for_self_referral(
                organization=program.organization,
                first_name=row.first_name,
                last_name=row.last_name,
                contact_kind=row.contact_kind,
                contact=row.contact,
                language=row.language,
            )
            referral = referral_services.referral_self_refer(
                seeker=seeker,
                program=program,
                comment=row.message,
                consent_wording=row.consent_wording,
                intake_answers=row.intake_answers,
            )
    except DuplicateOpenReferral:
        raise SelfReferralRefused(
            gettext(
                "You already asked %(program)s, and that request is still open: sign in to “My referrals” to follow it."
            )
            % {"program": program.name}
        ) from None
    row.delete()
    return referral


def self_referrals_clear_expired(*, now=None) -> int:
    """Deletes the requests for help nobody confirmed in time (they stopped working when they expired)."""
    now = now or timezone.now()
    deleted, _ = SelfReferralRequest.objects.filter(expires_at__lte=now).delete()
    return deleted


def erase_person(person) -> None:
    """Erasure's scrubber (core.erasure): the sign-in codes and unconfirmed requests for help that hold one of
    the erased person's email addresses or numbers are deleted (they are short-lived copies of the contact, and
    of a name, a message and the answers to the program's questions for a request)."""
    from django.db.models import Q

    match = Q(pk__in=[])
    for email in person.emails:
        match |= Q(contact_kind="email", contact__iexact=email)
    for phone in person.phones:
        match |= Q(contact_kind="text", contact=phone)
    SignInCode.objects.filter(match).delete()
    SelfReferralRequest.objects.filter(match).delete()
