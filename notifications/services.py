"""Notifications: who is told what by email, the outbox, and its delivery.

``notify_referral_event`` and ``notify_escalation_step`` subscribe to what the referral lifecycle publishes
(``referrals.events``, registered in ``NotificationsConfig.ready``). They run inside the change's
transaction, so the outbox rows they write commit or roll back with the change that caused them. Delivery
is queued when that transaction commits (``core.outbox.queue_on_commit``). Nothing here changes a referral: the answers given through email links are the referrals app's
(``referrals.services.referral_answer_by_link``).

Delivery is the shared core's (core.outbox, where the at-least-once boundary is stated): email is one of its
channels (``EMAIL``, registered in NotificationsConfig.ready), saying how a row is sent (``send_email``) and
which failures are worth retrying (``is_transient``). In the one window the core leaves (a worker killed
after the provider accepted a message and before "sent" is committed) the copy sent again carries the same
Message-ID, so providers and mail clients that de-duplicate on it show one message.
"""

from __future__ import annotations

import smtplib
import uuid
from dataclasses import dataclass
from datetime import datetime

import css_inline
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy, ngettext

from core import outbox
from core.outbox import DeliveryReport
from referrals import stalls, statuses
from referrals.answers import CONFIRM_STATUS, confirm_label, seeker_answer_labels
from referrals.models import EscalationStep, ReferralEvent
from referrals.selectors import declined_alternatives, program_may_see_seeker_contact, seeker_contact_visible_to

from . import links, selectors
from .models import OutboxMessage

Kind = OutboxMessage.Kind
Status = statuses.Status
Party = statuses.Party

# Events that never cause an email: the ones notifications themselves write (no loops), and bookkeeping.
SILENT_EVENTS = {
    ReferralEvent.Kind.EMAIL_SENT,
    ReferralEvent.Kind.EMAIL_LINK_USED,
    ReferralEvent.Kind.NOTE_DELETED,
    ReferralEvent.Kind.CONSENT_GIVEN,
    ReferralEvent.Kind.GOAL_CHANGED,
    ReferralEvent.Kind.NOTE_ADDED,
    ReferralEvent.Kind.STATUS_CONFIRMED,
}

# ---------------------------------------------------------------------------------------------------------
# Recipients and rendering


@dataclass
class Recipient:
    email: str
    party: str
    language: str = "en"
    user: object | None = None
    seeker: object | None = None

    @property
    def key(self) -> str:
        return f"u{self.user.pk}" if self.user is not None else f"s{self.seeker.pk}"

    @property
    def name(self) -> str:
        return self.user.first_name if self.user is not None else self.seeker.first_name


def _user_recipients(users, party) -> list[Recipient]:
    return [
        Recipient(email=user.email, party=party, language=settings.LANGUAGE_CODE, user=user)
        for user in users
        if user.email
    ]


def _seeker_recipient(referral) -> list[Recipient]:
    seeker = referral.seeker
    if not selectors.seeker_can_be_emailed(seeker):
        return []
    return [
        Recipient(email=seeker.email, party=Party.SEEKER, language=seeker.preferred_language or "en", seeker=seeker)
    ]


def expected_response_text(hours: int) -> str:
    if hours >= 48 and hours % 24 == 0:
        days = hours // 24
        return ngettext("within %(count)d day", "within %(count)d days", days) % {"count": days}
    return ngettext("within %(count)d hour", "within %(count)d hours", hours) % {"count": hours}


def _dashboard_url(referral) -> str:
    try:
        path = reverse("referrals:detail", kwargs={"public_id": referral.public_id})
    except NoReverseMatch:
        return ""
    return links.site_url(path)


def _next_steps(program, language: str) -> dict:
    """The program's next steps in the recipient's language when it wrote them in it; ``next_steps_language``
    names the language of text that is not the email's (the HTML part marks it for screen readers)."""
    steps = program.next_steps_in(language)
    return {"next_steps": steps.text, "next_steps_language": steps.language if steps.foreign else ""}


def _context(referral, recipient: Recipient, **extra) -> dict:
    seeker = referral.seeker
    program = referral.program
    context = {
        "referral": referral,
        "program": program,
        "recipient": recipient,
        "recipient_name": recipient.name,
        "seeker_first_name": seeker.first_name,
        "seeker_name": seeker.full_name,
        "expected_response": expected_response_text(program.expected_response_hours),
        **_next_steps(program, recipient.language),
        "site_url": links.site_url(),
        "action_url": links.link_url(referral=referral, user=recipient.user, seeker=recipient.seeker),
        "dashboard_url": _dashboard_url(referral) if recipient.user is not None else "",
        # The seeker reads what the status means for them ("The program is working with you"); staff, its name.
        **(
            {
                "status_label": statuses.seeker_label(referral.status),
                "reason_label": statuses.seeker_reason_label(referral.status_reason),
            }
            if recipient.party == Party.SEEKER
            else {
                "status_label": Status(referral.status).label,
                "reason_label": statuses.Reason(referral.status_reason).label if referral.status_reason else "",
            }
        ),
        # The same rule as the pages: the seeker's side always, the program's side while consent holds.
        "show_contact_details": recipient.party != Party.SEEKER
        and (
            seeker_contact_visible_to(recipient.user, referral)
            if recipient.user is not None
            else program_may_see_seeker_contact(referral)
        ),
    }
    if recipient.user is not None and extra.get("stall_answers"):
        context["stall_choices"] = [
            {"label": label, "url": links.link_url(referral=referral, user=recipient.user, answer=answer)}
            for answer, label in extra["stall_answers"]
        ]
    if recipient.seeker is not None:
        context["answers"] = [
            {"label": label, "url": links.link_url(referral=referral, seeker=recipient.seeker, answer=answer)}
            for answer, label in seeker_answer_labels().items()
        ]
    context.update(extra)
    return context


# Mail programs drop <style> blocks or parts of them, so the layout's rules (templates/emails/_base.html) are
# copied onto each element's style attribute. Only the @media rules stay in <style> (they cannot be inlined);
# nothing is fetched from the network.
_INLINER = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)


def render_message(kind: str, context: dict, language: str) -> tuple[str, str, str]:
    """(subject, plain text, HTML) from templates/emails/<kind>_*.txt|html in ``language``.

    The one place every email's HTML is produced: it extends templates/emails/_base.html (the layout, its
    heading being the subject) and its styles are inlined here."""
    with translation.override(language):
        context = {**context, "LANGUAGE_CODE": language}
        subject = " ".join(render_to_string(f"emails/{kind}_subject.txt", context).split())[:255]
        text = render_to_string(f"emails/{kind}_body.txt", context).strip() + "\n"
        html = _INLINER.inline(render_to_string(f"emails/{kind}_body.html", {**context, "subject": subject}))
    return subject, text, html


def _enqueue(kind: str, referral, recipients: list[Recipient], *, key_prefix: str, **extra) -> list[int]:
    """Write one outbox row per recipient (skipping keys already written) and queue them after commit."""
    rows = []
    seen = set()
    for recipient in recipients:
        if recipient.key in seen:
            continue
        seen.add(recipient.key)
        with translation.override(recipient.language):
            context = _context(referral, recipient, **extra)
            subject, text, html = render_message(kind, context, recipient.language)
        rows.append(
            OutboxMessage(
                key=f"{key_prefix}:{kind}:{recipient.key}"[:200],
                kind=kind,
                referral=referral,
                recipient_email=recipient.email,
                recipient_user=recipient.user,
                recipient_seeker=recipient.seeker,
                language=recipient.language,
                subject=subject,
                body_text=text,
                body_html=html,
            )
        )
    if not rows:
        return []
    OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)
    # ignore_conflicts leaves primary keys unset: read back the rows this call wrote (or that were waiting).
    ids = list(
        OutboxMessage.objects.filter(
            key__in=[row.key for row in rows], status=OutboxMessage.Status.PENDING
        ).values_list("pk", flat=True)
    )
    outbox.queue_on_commit(EMAIL, ids)
    return ids


# ---------------------------------------------------------------------------------------------------------
# Who is told what


def notify_referral_event(event: ReferralEvent) -> None:
    """Write the outbox rows that ``event`` calls for (a referrals.events subscriber, in the change's
    transaction)."""
    if event.kind in SILENT_EVENTS:
        return
    referral = event.referral
    if event.kind == ReferralEvent.Kind.CREATED:
        _notify_created(event, referral)
    elif event.kind in (ReferralEvent.Kind.STATUS_CHANGED, ReferralEvent.Kind.REOPENED):
        _notify_status_changed(event, referral)
    elif event.kind == ReferralEvent.Kind.ASSIGNMENT_CHANGED:
        # The new assignee hears of it, unless they assigned it to themselves or it was just made (the
        # new-referral email already went to every claimer).
        assignee = referral.assigned_to
        if assignee is not None and assignee.pk != event.actor_id and not (event.detail or {}).get("round_robin"):
            _enqueue(
                Kind.ASSIGNED,
                referral,
                _user_recipients([assignee], Party.CLAIMER),
                key_prefix=f"event:{event.public_id}",
                assigned_by=event.actor_display,
            )
    elif event.kind == ReferralEvent.Kind.STALLED:
        _notify_stalled(event, referral)
    elif event.kind == ReferralEvent.Kind.CONSENT_WITHDRAWN:
        claimers = [u for u in selectors.claimers_of(referral.program) if u.pk != event.actor_id]
        _enqueue(
            Kind.CONSENT_WITHDRAWN,
            referral,
            _user_recipients(claimers, Party.CLAIMER),
            key_prefix=f"event:{event.public_id}",
        )


def _notify_created(event, referral) -> None:
    prefix = f"event:{event.public_id}"
    claimers = [user for user in selectors.claimers_of(referral.program) if user.pk != event.actor_id]
    _enqueue(Kind.NEW_REFERRAL, referral, _user_recipients(claimers, Party.CLAIMER), key_prefix=prefix)
    _enqueue(Kind.REFERRAL_CONFIRMATION, referral, _seeker_recipient(referral), key_prefix=prefix)


def _notify_status_changed(event, referral) -> None:
    if event.to_status == Status.VIEWED and event.kind == ReferralEvent.Kind.STATUS_CHANGED:
        return  # a claimer opening a referral is shown on the dashboards, not emailed
    acting_party = (event.detail or {}).get("party", "")
    if event.via in (ReferralEvent.Via.EMAIL_LINK, ReferralEvent.Via.TEXT) and event.actor_id is None:
        acting_party = Party.SEEKER
    prefix = f"event:{event.public_id}"
    extra = {
        "event": event,
        "from_label": Status(event.from_status).label if event.from_status else "",
        "changed_by": event.actor_display,
        "changed_by_organization": event.actor_organization,
    }

    def others(users):
        return [user for user in users if user.pk != event.actor_id]

    forwarded = event.reason == statuses.Reason.FORWARDED
    if forwarded:
        # The seeker hears of a forwarding once, from the new referral's confirmation (_notify_created).
        extra["forwarded_to"] = referral.replaced_by
        extra["forwarded_url"] = _dashboard_url(referral.replaced_by) if referral.replaced_by_id else ""
    if acting_party != Party.SEEKER and not forwarded:
        _enqueue(Kind.STATUS_CHANGED, referral, _seeker_recipient(referral), key_prefix=prefix, **extra)
    if acting_party != Party.CLAIMER:
        _enqueue(
            Kind.STATUS_CHANGED,
            referral,
            _user_recipients(others(selectors.claimers_of(referral.program)), Party.CLAIMER),
            key_prefix=prefix,
            **extra,
        )
    if acting_party != Party.REFERRER:
        referrers = _user_recipients(others(selectors.referrer_party_of(referral)), Party.REFERRER)
        if event.reason == statuses.Reason.EXPIRED_NO_RESPONSE:
            program = selectors.next_matching_program(referral)
            _enqueue(
                Kind.EXPIRED_REREFERRAL,
                referral,
                referrers,
                key_prefix=prefix,
                next_program=program,
                rereferral_url=_rereferral_url(program, referral),
                **extra,
            )
        elif event.reason in statuses.DECLINES_WITH_ALTERNATIVES:
            # Declined for no room or out of area: the nearest accepting programs of the same kind, one click each
            # to the Connect form filled in (as expiry offers the next one).
            alternatives = [
                {"program": program, "url": _rereferral_url(program, referral)}
                for program in declined_alternatives(referral)
            ]
            _enqueue(
                Kind.STATUS_CHANGED,
                referral,
                referrers,
                key_prefix=prefix,
                show_alternatives=True,
                alternatives=alternatives,
                **extra,
            )
        else:
            _enqueue(Kind.STATUS_CHANGED, referral, referrers, key_prefix=prefix, **extra)


def _stall_answers(referral) -> list[tuple[str, str]]:
    """The claimers' one-click answers to "is it still right?": each opens the link page with it chosen."""
    answers = [(CONFIRM_STATUS, confirm_label(referral.status))]
    if referral.status == Status.IN_SERVICE:
        answers.append((Status.GOT_HELP.value, gettext("Finished: the person got help")))
    else:
        answers.append((Status.IN_SERVICE.value, gettext("Service started")))
    answers.append((Status.NOT_COMPLETED.value, gettext("Closed: not completed")))
    return answers


def _notify_stalled(event, referral) -> None:
    """A stalled referral (referrals.stalls): at odd steps the claimers are asked whether the status still
    holds (after the seeker, for needs_client_action, is reminded first); at even steps the referrer is told,
    with the nearest programs of the same category that have open slots."""
    detail = event.detail or {}
    prefix = f"event:{event.public_id}"
    extra = {
        "stalled_days": int(detail.get("period_days", 0)) * int(detail.get("step", 1)),
        "status_label": Status(event.to_status or referral.status).label,
    }
    if detail.get("seeker_reminded"):
        _enqueue(Kind.STALL_SEEKER_REMINDER, referral, _seeker_recipient(referral), key_prefix=prefix)
    if detail.get("told") == stalls.CLAIMERS:
        _enqueue(
            Kind.STALL_CHECK,
            referral,
            _user_recipients(selectors.claimers_of(referral.program), Party.CLAIMER),
            key_prefix=prefix,
            stall_answers=_stall_answers(referral),
            **extra,
        )
    elif detail.get("told") == stalls.REFERRER:
        alternatives = [
            {"program": program, "url": _rereferral_url(program, referral)}
            for program in selectors.nearest_programs_with_slots(referral)
        ]
        _enqueue(
            Kind.STALL_ALERT,
            referral,
            _user_recipients(selectors.referrer_party_of(referral), Party.REFERRER),
            key_prefix=prefix,
            alternatives=alternatives,
            **extra,
        )


def _rereferral_url(program, referral) -> str:
    if program is None:
        return ""
    return links.site_url(f"/programs/{program.public_id}/connect/?seeker={referral.seeker.public_id}")


# ---------------------------------------------------------------------------------------------------------
# Delivery


# The core (core.outbox) claims, retries, sweeps and records; email says how one row is sent and what its
# failures mean. The functions below keep the names the rest of the code and the admin use.

DeliveryOutcome = outbox.Outcome
Delivery = outbox.Delivery


def retry_delay(attempt: int) -> float:
    """Exponential backoff with jitter, capped below the broker's visibility timeout."""
    return EMAIL.retry_delay(attempt)


def is_transient(error: Exception) -> bool:
    """Whether trying again later may succeed (network trouble, 4xx SMTP replies, provider 5xx/429)."""
    from anymail.exceptions import AnymailAPIError, AnymailInvalidAddress, AnymailRecipientsRefused

    if isinstance(error, (AnymailRecipientsRefused, AnymailInvalidAddress, smtplib.SMTPRecipientsRefused)):
        return False
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, AnymailAPIError):
        status = getattr(error, "status_code", None)
        return status is None or status == 429 or status >= 500
    return isinstance(error, (smtplib.SMTPException, ConnectionError, TimeoutError, OSError))


def _message_id(message: OutboxMessage) -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >") or "referrals.invalid"
    return f"<{message.public_id}@{domain}>"


def send_email(message: OutboxMessage) -> None:
    """Hands one outbox row to Django's email backend (django-anymail in production). The Message-ID is the
    row's, so the copy a lost "sent" mark may cause is recognised as the same message."""
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient_email],
        headers={"Message-ID": _message_id(message), "X-Referral-Notification": message.key},
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    email.send()


def email_delivery_report(message: OutboxMessage) -> DeliveryReport | None:
    """An email about a referral leaves an "email sent" line in its history, naming the recipient as history
    lines name people, never by address."""
    if message.referral is None:
        return None
    recipient = (
        "Seeker"
        if message.recipient_seeker_id
        else (message.recipient_user.short_name if message.recipient_user else "")
    )
    return DeliveryReport(
        channel=EMAIL_CHANNEL,
        about=message.referral,
        detail={"notification": message.kind, "to": recipient, "message": str(message.public_id)},
    )


def _addressed_to(person) -> Q:
    """The messages sent to an erased person (core.erasure.Person): as the seeker, to their address, or to
    their own account."""
    condition = Q(recipient_seeker_id=person.seeker_id) | Q(recipient_email__in=person.emails)
    if person.user_id is not None:
        condition |= Q(recipient_user_id=person.user_id)
    return condition


EMAIL_CHANNEL = "email"
EMAIL = outbox.Channel(
    name=EMAIL_CHANNEL,
    model=OutboxMessage,
    send=send_email,
    is_transient=is_transient,
    max_attempts=outbox.setting("NOTIFICATION_MAX_ATTEMPTS", 8),
    retry_base_seconds=outbox.setting("NOTIFICATION_RETRY_BASE_SECONDS", 30),
    retry_max_seconds=outbox.retry_cap_setting("NOTIFICATION_RETRY_MAX_SECONDS", 1800),
    lease_seconds=outbox.setting("NOTIFICATION_SEND_LEASE_SECONDS", 300),
    pending_grace_seconds=outbox.setting("NOTIFICATION_PENDING_GRACE_SECONDS", 300),
    related=("referral", "recipient_user"),
    report=email_delivery_report,
    # Personal data (core.outbox): what a message says names the seeker, the comment, the program.
    content_fields=("subject", "body_text", "body_html"),
    recipient_fields=("recipient_email",),
    about_person=lambda person: Q(referral_id__in=person.referral_ids) | Q(recipient_seeker_id=person.seeker_id),
    addressed_to=lambda person: _addressed_to(person),
    content_retention_days=outbox.setting("NOTIFICATION_BODY_RETENTION_DAYS", 30),
)


def outbox_deliver(*, outbox_id: int) -> Delivery:
    """Send one outbox row if it still needs sending, and record the result (core.outbox.deliver).

    Safe to call any number of times for the same row, concurrently too: only a due "pending" row (or one
    whose sending worker died) is claimed, the claim is a short row lock plus a lease, and "sent" rows are
    never sent again.
    """
    return outbox.deliver(EMAIL, outbox_id)


def outbox_retry(*, outbox_ids) -> int:
    """The admin's "retry": the rows become pending and due now, and are queued. Returns how many."""
    return outbox.retry_now(EMAIL, outbox_ids)


def outbox_requeue_stale(*, now: datetime | None = None) -> int:
    """The sweep: queue again what the broker or a dead worker lost. Returns how many rows were queued.

    A pending row older than NOTIFICATION_PENDING_GRACE_SECONDS was never delivered (the broker was down
    at commit, or its message was lost); a "sending" row whose lease expired belonged to a worker that died
    mid-send. Both go back to pending and are queued; queuing a row twice is harmless (see outbox_deliver).
    """
    return outbox.sweep(EMAIL, now=now)


# ---------------------------------------------------------------------------------------------------------
# Escalation of silence and the follow-up (the steps are taken by referrals.sweeps)


def notify_escalation_step(step: EscalationStep) -> None:
    """Write the outbox rows a step taken on an unanswered or accepted referral calls for (a referrals.events
    subscriber, in the step's transaction). Expiry writes nothing here: it is a status change, whose event
    tells the parties (the referrer's email carries the re-referral offer)."""
    referral = step.referral
    prefix = f"escalation:{referral.public_id}"
    Step = EscalationStep.Step
    if step.step == Step.CLAIMER_REMINDER:
        _enqueue(
            Kind.CLAIMER_REMINDER,
            referral,
            _user_recipients(selectors.claimers_of(referral.program), Party.CLAIMER),
            key_prefix=prefix,
        )
    elif step.step == Step.ADMIN_ESCALATION:
        admins = selectors.organization_admins_of(referral.program.organization)
        _enqueue(Kind.ADMIN_ESCALATION, referral, _user_recipients(admins, Party.ADMIN), key_prefix=prefix)
    elif step.step == Step.REFERRER_ESCALATION:
        _enqueue(
            Kind.REFERRER_ESCALATION,
            referral,
            _user_recipients(selectors.referrer_party_of(referral), Party.REFERRER),
            key_prefix=prefix,
        )
    elif step.step == Step.FOLLOW_UP:
        _enqueue(Kind.FOLLOW_UP, referral, _seeker_recipient(referral), key_prefix=prefix)


# ---------------------------------------------------------------------------------------------------------
# Accounts


# A role as the invitation names it, in the email's language (the model's labels are the staff pages' English).
ROLE_WORDS = {"worker": gettext_lazy("Worker"), "admin": gettext_lazy("Organization admin")}


def account_language(user, *, asked: bool = False) -> str:
    """The language of an email about someone's account (invitation, password reset, email change), where the
    product knows it: a seeker's own account follows their profile's preferred language; an email the person
    asked for themselves (``asked``: a password reset, a new sign-in address) follows the language of the page
    they asked on (LocaleMiddleware: the language they chose, or their browser's). Otherwise English, as every
    staff email."""
    from seekers.models import Seeker

    known = {code for code, _ in settings.LANGUAGES}
    if user is not None and user.pk is not None:
        preferred = (
            Seeker.objects.unscoped("the language of the seeker's own account")
            .filter(user_id=user.pk)
            .values_list("preferred_language", flat=True)
            .first()
        )
        if preferred in known:
            return preferred
    if asked:
        current = translation.get_language() or ""
        for code in (current, current.split("-")[0]):
            if code in known:
                return code
    return settings.LANGUAGE_CODE


def notify_member_invited(*, user, organization, invited_by) -> int:
    """Writes the email that tells a new member they were added to ``organization`` and links to the page
    where they choose their password (Django's password reset confirmation, with its token: it works once
    and for PASSWORD_RESET_TIMEOUT seconds). Queued after commit, as every outbox row. Returns the row's id."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return _member_email(
        Kind.MEMBER_INVITATION,
        user=user,
        organization=organization,
        by=invited_by,
        password_url=links.site_url(path),
        valid_days=max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
    )


def member_invited_received(sender, *, user, organization, invited_by, **kwargs) -> None:
    """accounts.signals.member_invited: the email with the link to choose a password."""
    notify_member_invited(user=user, organization=organization, invited_by=invited_by)


def invitation_sent_received(sender, *, invitation, token, **kwargs) -> None:
    """accounts.signals.invitation_sent: the email with the link to accept."""
    notify_organization_invitation(invitation=invitation, token=token)


def notify_organization_invitation(*, invitation, token: str) -> int:
    """Emails someone who already has an account an invitation to join an organization, with the link to the
    page where they accept it (signed in as that account). Nothing changes for them until they do. Returns the
    outbox row's id."""
    path = reverse("organization:invitation_accept", kwargs={"token": token})
    return _member_email(
        Kind.ORGANIZATION_INVITATION,
        user=invitation.user,
        organization=invitation.organization,
        by=invitation.invited_by,
        role=ROLE_WORDS.get(invitation.role, invitation.get_role_display()),
        accept_url=links.site_url(path),
        expires=timezone.localtime(invitation.expires_at).date(),  # written in the email's language
    )


def _queue_email(kind: str, *, key: str, email: str, language: str, context: dict, user=None) -> int:
    """One email of its own (not about a referral): rendered in ``language``, written to the outbox under
    ``key`` and queued for delivery when the transaction commits. Returns the row's id."""
    subject, text, html = render_message(kind, context, language)
    message = OutboxMessage.objects.create(
        key=key,
        kind=kind,
        recipient_email=email,
        recipient_user=user,
        language=language,
        subject=subject,
        body_text=text,
        body_html=html,
    )
    outbox.queue_on_commit(EMAIL, [message.pk])
    return message.pk


def notify_email_change(*, user, new_email: str, confirm_url: str, valid_hours: int) -> int:
    """Emails ``new_email`` the link that makes it ``user``'s sign-in email (security.services): the address
    changes only when its owner follows the link. Returns the outbox row's id."""
    context = {
        "recipient_name": user.first_name or new_email,
        "email": user.email,
        "new_email": new_email,
        "confirm_url": confirm_url,
        "valid_hours": valid_hours,
    }
    language = account_language(user, asked=True)
    kind = OutboxMessage.Kind.EMAIL_CHANGE
    return _queue_email(
        kind,
        key=f"{kind}:{user.pk}:{timezone.now().timestamp():.6f}",
        email=new_email,
        language=language,
        context=context,
        user=user,
    )


def _member_email(kind: str, *, user, organization, by, **extra) -> int:
    context = {
        "recipient_name": user.first_name or user.email,
        "email": user.email,
        "organization": organization.name,
        "invited_by": by.display_name,
        "sign_in_url": links.site_url(reverse("accounts:login")),
        **extra,
    }
    language = account_language(user)
    return _queue_email(
        kind,
        # A new row for each: an admin may send the link again after the first one expired.
        key=f"{kind}:{organization.pk}:{user.pk}:{timezone.now().timestamp():.6f}",
        email=user.email,
        language=language,
        context=context,
        user=user,
    )


def email_change_received(sender, *, user, new_email, token, valid_hours, **kwargs) -> None:
    """accounts.signals.email_change_requested: the confirmation link goes to the new address."""
    from django.urls import reverse

    from . import links

    notify_email_change(
        user=user,
        new_email=new_email,
        valid_hours=valid_hours,
        confirm_url=links.site_url(reverse("security:email_confirm", kwargs={"token": token})),
    )


def password_reset_received(sender, *, user, **kwargs) -> None:
    """accounts.signals.password_reset_requested: the reset link goes out by email."""
    notify_password_reset(user=user)


def notify_password_reset(*, user) -> int:
    """Writes the email with the link to choose a new password (Django's password reset confirmation, with its
    token). Through the outbox as every email, so it is retried, shows in the dev mailbox, and its link is on
    SITE_URL (never the Host header of the request that asked for it). Returns the row's id."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    context = {
        "recipient_name": user.first_name or user.email,
        "email": user.email,
        "reset_url": links.site_url(path),
        "valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
    }
    language = account_language(user, asked=True)
    return _queue_email(
        Kind.PASSWORD_RESET,
        # A new row for each request: every request sends its own link.
        key=f"{Kind.PASSWORD_RESET}:{user.pk}:{timezone.now().timestamp():.6f}",
        email=user.email,
        language=language,
        context=context,
        user=user,
    )


# ---------------------------------------------------------------------------------------------------------
# The public directory


def _public_email(kind: str, *, email: str, language: str, context: dict) -> int:
    """An email to an address a member of the public typed and proved nothing about yet: no user, no seeker,
    no referral on the row. Returns its id."""
    return _queue_email(kind, key=f"{kind}:{uuid.uuid4().hex}", email=email, language=language, context=context)


def notify_program_details(*, program, email: str, language: str, page_url: str) -> int:
    """Emails a program's details (what it offers, how to reach it, its next steps, its page) to an address a
    visitor of the public directory typed. Nothing but this outbox row is kept of the request: the row has no
    seeker, no user and no referral. In ``language`` (the page's). Returns the row's id."""
    context = {
        "program": program,
        "organization": program.organization.name,
        "page_url": page_url,
        "expected_response": expected_response_text(program.expected_response_hours),
        **_next_steps(program, language),
    }
    # A new row for each request: the limits (find.views) keep a person from asking too often.
    return _public_email(Kind.PROGRAM_DETAILS, email=email, language=language, context=context)


def notify_program_list(*, programs, email: str, language: str, page_url_of) -> int:
    """Emails the details of a visitor's short list of programs (``programs``, in the list's order) to the
    address they typed, in one message, as ``notify_program_details`` does for one (``page_url_of(program)``:
    each program's page). Nothing but this outbox row is kept. Returns the row's id."""
    entries = [
        {
            "program": program,
            "organization": program.organization.name,
            "page_url": page_url_of(program),
            **_next_steps(program, language),
        }
        for program in programs
    ]
    return _public_email(
        Kind.PROGRAM_LIST, email=email, language=language, context={"entries": entries, "count": len(entries)}
    )


# ---------------------------------------------------------------------------------------------------------
# The seeker's own door (seeker_door)


def notify_seeker_sign_in(*, email: str, language: str, link: str, code: str, minutes: int) -> int:
    """The one-time link and 6-digit code that open "My referrals" (seeker_door.services.sign_in_request)."""
    return _public_email(
        Kind.SEEKER_SIGN_IN,
        email=email,
        language=language,
        context={"link": link, "code": code, "minutes": minutes},
    )


def notify_self_referral_confirm(*, email: str, language: str, link: str, code: str, program, hours: int) -> int:
    """The link and code that confirm a request for help sent to ``program`` (seeker_door.services)."""
    return _public_email(
        Kind.SELF_REFERRAL_CONFIRM,
        email=email,
        language=language,
        context={"link": link, "code": code, "program": program, "hours": hours},
    )
