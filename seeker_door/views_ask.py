"""Asking a program for help from its public page ("Ask them to contact me"): a self-referral.

The form (/find/programs/<id>/ask/) writes an unconfirmed request and sends a code and a link to the address
typed (seeker_door.services.self_referral_request); the person types the code on the next page (the request is
named by their browser session, never by the address) or opens the link (a page whose button is a POST, so mail
scanners change nothing). Only then are the seeker and the inbound referral made, and the person lands on a page
that says what happens next. Limited per address typed and per client address; a form with the hidden field
filled (a bot) is answered as if it had worked, and nothing is written or sent.
"""

from __future__ import annotations

import uuid

from django.db import transaction
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from core import ratelimit
from notifications.services import expected_response_text
from programs.forms import answer_field_name
from programs.models import Program
from programs.selectors import program_get, program_questions
from sms.services import NumberCannotBeTexted

from . import services
from .forms import AskForm, CodeForm
from .views import _language as page_language
from .views import _page


def _render(template, context, *, language, here, status=200, request):
    return _page(request, template, context, language, status=status)


def _listed_program(request, language, public_id):
    """(program, None) for a program the directory lists, else (None, the page that says why), as the program's
    own page (find.views) answers: 404 for an unknown one, 410 for one whose organization left the network."""
    try:
        found = program_get(public_id=public_id)
    except Program.DoesNotExist:
        return None, _page(
            request,
            "find/problem.html",
            {
                "heading": gettext("Program not found"),
                "message": gettext("We could not find this program in the directory. Its address may be mistyped."),
            },
            language,
            status=404,
        )
    if not found.organization.is_active:
        return None, _page(
            request,
            "find/problem.html",
            {
                "heading": gettext("Program no longer listed"),
                "message": gettext(
                    "This program's organization has left the network, so the program is "
                    "no longer listed. Search for another program near you."
                ),
            },
            language,
            status=410,
        )
    return found, None


PENDING_KEY = "find_self_referral_pending"


def _limited(scope: str, key: str) -> str | None:
    if ratelimit.hit(scope, key):
        return None
    minutes = max(1, round(ratelimit.retry_after(scope) / 60))
    if minutes > 90:
        hours = round(minutes / 60)
        return gettext(
            "Too many requests for help came from here or for this address in a short while, so we stopped for "
            "now so that nobody can flood a program. Try again in %(hours)d hours, or call the program."
        ) % {"hours": hours}
    return gettext(
        "Too many requests for help came from here or for this address in a short while, so we stopped for now "
        "so that nobody can flood a program. Try again in %(minutes)d minutes, or call the program."
    ) % {"minutes": minutes}


@never_cache
@require_http_methods(["GET", "POST"])
def ask(request, public_id):
    language = page_language(request)
    with translation.override(language):
        program, problem = _listed_program(request, language, public_id)
        if problem is not None:
            return problem
        questions = program_questions(program)
        form = AskForm(
            request.POST if request.method == "POST" else None,
            consent_label=services.consent_wording(program, with_answers=bool(questions)),
            language=language,
            questions=questions,
        )
        status = 200
        refusal = None
        if not services.program_takes_self_referrals(program):
            refusal = _not_accepting_text(program)
            status = 409
        if request.method == "POST" and refusal is None:
            status = 400
            if form.is_valid():
                data = form.cleaned_data
                contact = data["contact"]
                if form.is_bot:
                    request.session[PENDING_KEY] = {"id": str(uuid.uuid4()), "to": contact.display}
                    return redirect("seeker_door:ask_code", public_id=program.public_id)
                limited = _limited("self_referral_client", ratelimit.request_key(request)) or _limited(
                    "self_referral_contact", f"{contact.kind}:{contact.value.lower()}"
                )
                if limited is not None:
                    form.add_error("contact", limited)
                    status = 429
                else:
                    try:
                        with transaction.atomic():
                            issued = services.self_referral_request(
                                program=program,
                                first_name=data["first_name"],
                                last_name=data["last_name"],
                                contact=contact,
                                language=data["language"],
                                message=data["message"],
                                answers=data["answers"],
                            )
                    except NumberCannotBeTexted as error:
                        form.add_error("contact", error.message)
                    except services.SelfReferralRefused as error:
                        if error.errors:
                            _show_on_form(form, error)
                        else:
                            refusal = error.message
                            status = 409
                    else:
                        request.session[PENDING_KEY] = {"id": str(issued.row.public_id), "to": contact.display}
                        return redirect("seeker_door:ask_code", public_id=program.public_id)
        return _render(
            "find/ask.html",
            {
                "program": program,
                "form": form,
                "refusal": refusal,
                "hours": services.self_referral_hours(),
                "page_language": language,
            },
            language=language,
            here=request.path,
            status=status,
            request=request,
        )


def _show_on_form(form, error) -> None:
    """The service's refusal of answers, each on its question; one to a question the form did not ask (the
    program changed its questions meanwhile) above the form, which shows the questions asked now."""
    changed = False
    for field, problems in error.errors.items():
        name = answer_field_name({"id": field.removeprefix("answers.")}) if field.startswith("answers.") else field
        if name in form.fields:
            form.add_error(name, problems)
        else:
            changed = True
    if changed:
        form.add_error(
            None, gettext("The program changed its questions while the page was open: answer the questions below.")
        )


def _not_accepting_text(program) -> str:
    return gettext(
        "%(program)s is not accepting new people right now, so it cannot take requests here. Call them, or find "
        "another program."
    ) % {"program": program.name}


@never_cache
@require_http_methods(["GET", "POST"])
def code(request, public_id):
    """The code sent to the address, typed on the page the request was made from (its browser session names it)."""
    language = page_language(request)
    with translation.override(language):
        program, problem = _listed_program(request, language, public_id)
        if problem is not None:
            return problem
        pending = request.session.get(PENDING_KEY)
        if not pending:
            return redirect("seeker_door:ask", public_id=program.public_id)
        form = CodeForm(request.POST if request.method == "POST" else None)
        status = 200
        if request.method == "POST":
            status = 400
            if form.is_valid():
                limited = _limited_codes(request)
                if limited is not None:
                    form.add_error("code", limited)
                    status = 429
                else:
                    try:
                        referral = services.self_referral_confirm_with_code(
                            public_id=pending["id"], code=form.cleaned_data["code"]
                        )
                    except services.SelfReferralRefused as error:
                        form.add_error("code", error.message)
                    else:
                        return _done(request, referral)
        return _render(
            "find/ask_code.html",
            {"program": program, "form": form, "sent_to": pending["to"], "hours": services.self_referral_hours()},
            language=language,
            here=request.path,
            status=status,
            request=request,
        )


def _limited_codes(request) -> str | None:
    if ratelimit.hit("seeker_code", f"client:{ratelimit.request_key(request)}"):
        return None
    minutes = max(1, round(ratelimit.retry_after("seeker_code") / 60))
    return gettext("Too many tries in a short while. Try again in %(minutes)d minutes.") % {"minutes": minutes}


@never_cache
@require_http_methods(["GET", "POST"])
def link(request, token):
    """The link in the message: a GET shows the request and a button; the POST confirms it (once)."""
    language = page_language(request)
    with translation.override(language):
        limited = _limited_codes(request)
        row = None if limited else services.self_referral_link_usable(token=token)
        refusal = limited
        if request.method == "POST" and row is not None:
            try:
                referral = services.self_referral_confirm_with_link(token=token)
            except services.SelfReferralRefused as error:
                refusal = error.message
            else:
                return _done(request, referral)
        return _render(
            "find/ask_link.html",
            {"row": row, "refusal": refusal, "hours": services.self_referral_hours()},
            language=language,
            here=request.path,
            status=200 if row is not None and refusal is None else (429 if limited else 409 if row else 410),
            request=request,
        )


def _done(request, referral):
    request.session.pop(PENDING_KEY, None)
    request.session["find_self_referral_done"] = str(referral.program.public_id)
    return redirect("seeker_door:asked", public_id=referral.program.public_id)


@never_cache
@require_GET
def asked(request, public_id):
    """What happens next, once the request reached the program. Says nothing of anyone: the same page for any
    visitor, but only reached from a confirmation (else the program's page)."""
    language = page_language(request)
    with translation.override(language):
        program, problem = _listed_program(request, language, public_id)
        if problem is not None:
            return problem
        if request.session.get("find_self_referral_done") != str(program.public_id):
            return redirect("find:program", public_id=program.public_id)
        return _render(
            "find/asked.html",
            {
                "program": program,
                "next_steps": program.next_steps_in(language),
                "expected_response": expected_response_text(program.expected_response_hours),
            },
            language=language,
            here=request.path,
            request=request,
        )
