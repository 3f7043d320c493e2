"""The answer page a signed link opens (``/r/<referral>/<token>/``): the seeker's or a user's answers by link.

A link page never changes anything on GET (mail scanners fetch links): it shows the referral and the
choices its recipient may make, each a POST form with CSRF protection and no script. The POST records the
answer through ``services.referral_answer_by_link``. Token pages send ``Referrer-Policy: strict-origin``
(security.middleware.SECRET_PAGE_REFERRER_POLICY) so the token is never sent as a referrer, to another site
or to our own.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from core import ratelimit
from core.client import client_address
from core.i18n import render_in_language
from privacy.models import AccessRecord
from privacy.services import access_record
from security.middleware import SECRET_PAGE_REFERRER_POLICY
from seekers.models import Seeker

from . import answers, links, services, statuses
from .actors import Actor
from .models import Referral
from .policies import can


class _Recipient(answers.LinkRecipient):
    @property
    def language(self) -> str:
        if self.seeker is not None:
            return self.seeker.preferred_language or settings.LANGUAGE_CODE
        return translation.get_language() or settings.LANGUAGE_CODE


def _rate_limited(request, referral_public_id) -> bool:
    """At most RATE_LIMITS["email_link"] requests per minute per client address and link: the link is part of
    the key, so clients that share an address (behind one proxy or NAT) cannot use up every seeker's links."""
    return not ratelimit.hit("email_link", f"{ratelimit.request_key(request)}|{referral_public_id}")


def _private_page(response: HttpResponse) -> HttpResponse:
    response["Referrer-Policy"] = SECRET_PAGE_REFERRER_POLICY
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _error_page(request, status: int, message: str) -> HttpResponse:
    return _private_page(
        render(request, "referrals/link_error.html", {"message": message, "seeker_view": True}, status=status)
    )


def _resolve(referral_public_id, token):
    """The referral and recipient a token names, or LinkInvalid (and its kinds).

    The referral is looked up from the recipient, as any view starts from the person it serves: among the
    seeker's own referrals, or among the referrals the user may see.
    """
    claims = links.read_token(token, referral_public_id=referral_public_id)
    related = ("program", "program__organization", "seeker", "organization")
    if claims.seeker_public_id:
        seeker = (
            Seeker.objects.unscoped("a signed email link names this seeker")
            .filter(public_id=claims.seeker_public_id)
            .first()
        )
        referral = (
            seeker and seeker.referrals.select_related(*related).filter(public_id=claims.referral_public_id).first()
        )
        if referral is None:
            raise links.LinkNotFound("This link is not valid any more.")
        return referral, _Recipient(seeker=seeker)
    user = get_user_model().objects.filter(public_id=claims.user_public_id, is_active=True).first()
    referral = (
        user
        and Referral.objects.restrict(user, "view")
        .select_related(*related)
        .filter(public_id=claims.referral_public_id)
        .first()
    )
    if referral is None or not can(Actor.for_user(user), "act", referral):
        raise links.LinkNotFound("This link is no longer valid for you.")
    return referral, _Recipient(user=user)


_ERRORS = {
    400: gettext_lazy("This link is not valid. Please use the link exactly as it was in your email."),
    404: gettext_lazy("This link is not valid any more."),
    410: gettext_lazy("This link has expired. Please contact the person who referred you."),
}


@require_http_methods(["GET", "POST"])
def email_link(request, referral_public_id, token):
    if _rate_limited(request, referral_public_id):
        return _error_page(request, 429, _("Too many requests. Please wait a minute and try again."))
    try:
        referral, recipient = _resolve(referral_public_id, token)
    except links.LinkInvalid as error:
        return _error_page(request, error.status_code, _ERRORS[error.status_code])
    access_record(user=recipient.user, referral=referral, request=request, via=AccessRecord.Via.EMAIL_LINK)
    with translation.override(recipient.language):
        result = None
        if request.method == "POST":
            result = services.referral_answer_by_link(
                referral=referral,
                recipient=recipient,
                choice=request.POST.get("choice", "")[:40],
                reason=request.POST.get("reason", "")[:40],
                ip_address=client_address(request) or "",
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
            referral = result.referral
        choices = answers.answer_choices(referral=referral, recipient=recipient)
        answer = request.GET.get("answer", "")
        chosen = next((choice for choice in choices if choice["value"] == answer), None)
        context = {
            "seeker_view": True,
            "referral": referral,
            "program": referral.program,
            "for_seeker": recipient.seeker is not None,
            "recipient_name": (recipient.seeker or recipient.user).first_name,
            "seeker_name": referral.seeker.full_name if recipient.user is not None else "",
            # The seeker reads what the status means for them; a staff member, its name.
            "status_label": (
                statuses.seeker_label(referral.status)
                if recipient.seeker is not None
                else referral.get_status_display()
            ),
            "reason_label": (
                statuses.seeker_reason_label(referral.status_reason)
                if recipient.seeker is not None
                else referral.get_status_reason_display()
                if referral.status_reason
                else ""
            ),
            # Stopping the sharing of contact details is not an answer about how it went: it has its own heading.
            "choices": [
                choice for choice in choices if choice is not chosen and choice["value"] != answers.WITHDRAW_CONSENT
            ],
            "consent_choice": next(
                (choice for choice in choices if choice is not chosen and choice["value"] == answers.WITHDRAW_CONSENT),
                None,
            ),
            "chosen": chosen,
            "result": result,
            "refused_message": (
                result.message
                if result and recipient.user is not None
                else _("That answer cannot be given for this referral any more.")
            ),
        }
    status = 400 if result and result.outcome == answers.LinkAnswer.REFUSED else 200
    return _private_page(
        render_in_language(request, "referrals/email_link.html", context, recipient.language, status=status)
    )
