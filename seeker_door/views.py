"""The seeker's own door: "My referrals" without a password.

/my/sign-in/ takes an email address or a mobile number and answers the same whether or not a seeker record has
it ("if we have referrals for this address, we sent a link and a code"); the link (a page whose button is a
POST, so mail scanners change nothing) or the code opens a seeker session (seeker_door.session). The pages list
the referrals of every seeker record with the verified contact, across organizations, in the seeker's words;
answers and consent go through referrals.services. A seeker's own account (linked by a network admin) sees the
same pages. Anything not theirs answers 404.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from core import ratelimit
from core.i18n import render_in_language
from referrals.answers import SEEKER_ANSWERS, WITHDRAW_CONSENT, seeker_answer_labels
from referrals.policies import seeker_choices

from . import selectors, services, session, words
from .forms import CodeForm, SignInForm
from .viewer import Viewer, viewer_of


def _language(request) -> str:
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _page(request, template, context, language, *, status=200):
    return render_in_language(
        request,
        template,
        {
            **context,
            "here": request.path,
            "english": mark_safe(' lang="en"') if language != "en" else "",  # what programs wrote is English
            "languages": [
                (code, translation.get_language_info(code)["name_local"].capitalize()) for code, _ in settings.LANGUAGES
            ],
            "signed_in": session.current(request) is not None,
        },
        language,
        status=status,
    )


def _limited(scope: str, key: str) -> str | None:
    """The refusal when ``key`` is past ``scope``'s limit, in plain words, else None."""
    if ratelimit.hit(scope, key):
        return None
    minutes = max(1, round(ratelimit.retry_after(scope) / 60))
    return gettext(
        "Too many tries in a short while, so we stopped for now to keep your referrals safe. "
        "Try again in %(minutes)d minutes."
    ) % {"minutes": minutes}


# ---------------------------------------------------------------------------------------------------------
# Signing in


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request):
    language = _language(request)
    with translation.override(language):
        form = SignInForm(request.POST if request.method == "POST" else None)
        status = 200
        if request.method == "POST":
            if form.is_valid():
                contact = form.cleaned_data["contact"]
                refusal = _limited("seeker_sign_in_client", ratelimit.request_key(request)) or _limited(
                    "seeker_sign_in_contact", f"{contact.kind}:{contact.value.lower()}"
                )
                if refusal is None:
                    if not form.is_bot:
                        services.sign_in_request(contact=contact, language=language)
                    session.set_pending(request, contact)
                    return redirect("seeker_door:code")
                form.add_error("contact", refusal)
                status = 429
            else:
                status = 400
        return _page(
            request, "seeker_door/sign_in.html", {"form": form, "minutes": services.minutes()}, language, status=status
        )


@never_cache
@require_http_methods(["GET", "POST"])
def code(request):
    language = _language(request)
    with translation.override(language):
        contact = session.pending(request)
        if contact is None:
            messages.info(request, gettext("Enter your email address or mobile number first."))
            return redirect("seeker_door:sign_in")
        form = CodeForm(request.POST if request.method == "POST" else None)
        status = 200
        if request.method == "POST":
            status = 400
            if form.is_valid():
                refusal = _limited("seeker_code", f"{contact.kind}:{contact.value.lower()}") or _limited(
                    "seeker_code", f"client:{ratelimit.request_key(request)}"
                )
                if refusal is not None:
                    form.add_error("code", refusal)
                    status = 429
                else:
                    verified = services.sign_in_with_code(contact=contact, code=form.cleaned_data["code"])
                    if verified is not None:
                        session.start(request, verified)
                        return redirect("seeker_door:referrals")
                    form.add_error(
                        "code",
                        gettext(
                            "That code is not right, or it has expired or was used already. Check the newest "
                            "message we sent, or ask for a new code."
                        ),
                    )
        return _page(
            request,
            "seeker_door/code.html",
            {"form": form, "sent_to": contact.display, "minutes": services.minutes()},
            language,
            status=status,
        )


@never_cache
@require_http_methods(["GET", "POST"])
def link(request, token):
    """The link in the message: a GET shows a button (mail scanners that follow links change nothing); the
    POST uses the link up and opens the session."""
    language = _language(request)
    with translation.override(language):
        limited = _limited("seeker_code", f"client:{ratelimit.request_key(request)}")
        usable = limited is None and services.link_is_usable(token=token)
        if request.method == "POST" and usable:
            verified = services.sign_in_with_link(token=token)
            if verified is not None:
                session.start(request, verified)
                return redirect("seeker_door:referrals")
            usable = False
        return _page(
            request,
            "seeker_door/link.html",
            {"usable": usable, "refusal": limited, "minutes": services.minutes()},
            language,
            status=200 if usable else (429 if limited else 410),
        )


@require_POST
def sign_out(request):
    session.end(request)
    with translation.override(_language(request)):
        messages.info(request, gettext("You are signed out."))
    return redirect("seeker_door:sign_in")


# ---------------------------------------------------------------------------------------------------------
# The seeker's pages


def _viewer_or_door(request) -> Viewer:
    viewer = viewer_of(request)
    if viewer is None:
        raise Http404("No seeker here.")
    return viewer


@never_cache
@require_http_methods(["GET"])
def referrals(request):
    viewer = viewer_of(request)
    if viewer is None:
        if request.user.is_authenticated:
            raise Http404("No seeker profile.")  # staff: this is not their page
        return redirect("seeker_door:sign_in")
    language = viewer.language()
    with translation.override(language):
        rows = [{"referral": referral, "choices": _answers(referral)} for referral in viewer.referrals()]
        return _page(request, "seeker_door/referrals.html", {"rows": rows, "viewer": viewer}, language)


def _answers(referral) -> list[tuple[str, str]]:
    """The seeker's plain answers the status table allows now, as (choice, label)."""
    allowed = {target.value if hasattr(target, "value") else target for target, _ in seeker_choices(referral)}
    labels = seeker_answer_labels()
    return [(choice, labels[choice]) for choice, (to_status, _) in SEEKER_ANSWERS.items() if to_status in allowed]


@never_cache
@require_http_methods(["GET"])
def referral(request, public_id):
    viewer = _viewer_or_door(request)
    found = viewer.referral(public_id)
    if found is None:
        raise Http404("Not one of this seeker's referrals.")
    language = viewer.language()
    with translation.override(language):
        return _page(
            request,
            "seeker_door/referral.html",
            {
                "referral": found,
                "program": found.program,
                "next_steps": found.program.next_steps_in(language),
                "answers": _answers(found),
                "history": words.history_lines(selectors.history_of(found), found.program.name),
            },
            language,
        )


@require_POST
def answer(request, public_id):
    viewer = _viewer_or_door(request)
    found = viewer.referral(public_id)
    if found is None:
        raise Http404("Not one of this seeker's referrals.")
    choice = request.POST.get("choice", "")
    with translation.override(viewer.language()):
        try:
            services.seeker_answer(referral=found, choice=choice, via=viewer.via)
        except services.AnswerRefused as error:
            messages.error(request, error.message)
        else:
            if choice == WITHDRAW_CONSENT:
                messages.success(
                    request,
                    gettext("Done: %(program)s no longer sees your email address and phone number.")
                    % {"program": found.program.name},
                )
            else:
                messages.success(
                    request,
                    gettext("Thank you: we told %(program)s “%(answer)s”.")
                    % {"program": found.program.name, "answer": seeker_answer_labels()[choice]},
                )
    return redirect(reverse("seeker_door:referral", kwargs={"public_id": found.public_id}))


@never_cache
@require_http_methods(["GET"])
def who_looked(request):
    viewer = _viewer_or_door(request)
    language = viewer.language()
    with translation.override(language):
        return _page(
            request,
            "seeker_door/who_looked.html",
            {
                "records": words.access_lines(selectors.access_records_of(viewer.seekers())),
                "shown": selectors.ACCESS_RECORDS_SHOWN,
            },
            language,
        )
