"""``/t/<code>/``: a text's short link opens the referral's answer page (referrals.views_email_link).

A GET only redirects (nothing changes: phones preview links too); the answer page it leads to shows the choices
and records an answer on POST. Unknown and expired codes get the link error page in the visitor's language.
"""

from __future__ import annotations

from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core import ratelimit
from security.middleware import SECRET_PAGE_REFERRER_POLICY

from . import links


def _private(response):
    response["Referrer-Policy"] = SECRET_PAGE_REFERRER_POLICY
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _error(request, status: int, message: str):
    return _private(
        render(request, "referrals/link_error.html", {"message": message, "seeker_view": True}, status=status)
    )


@require_GET
def short_link(request, token):
    code = token  # the short link's code: its only secret, as an email link's token is
    if not links.well_formed(code):  # no code of ours: nothing to guess, nothing counted
        return _error(request, 404, _("This link is not valid any more."))
    # The email links' limit, per client address: guessing codes is as slow as guessing tokens.
    if not ratelimit.hit("email_link", f"{ratelimit.request_key(request)}|short-link"):
        return _error(request, 429, _("Too many requests. Please wait a minute and try again."))
    link = links.resolve(code)
    if link is None:
        return _error(request, 404, _("This link is not valid any more."))
    if link.expires_at <= timezone.now():
        return _error(request, 410, _("This link has expired. Please contact the person who referred you."))
    return _private(HttpResponseRedirect(link.target))
