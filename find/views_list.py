"""The visitor's short list (/find/list/): programs they add from the programs' pages, kept in their own browser
session (no account, nothing on the server but the session), shown on one page that prints on one sheet and can
be sent to their phone or email as one program can (the same limits and hidden field).

Adding is a POST from a program's page. Those pages are kept and handed to every visitor (find/cache.py), so
they carry no CSRF token: ``add`` takes none. It changes nothing but the visitor's own list, and the session
cookie is SameSite=Lax, so a form posted from another site arrives without it and reaches no one's list; a
request whose Origin names another site is refused all the same.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from core.phones import phone_display
from notifications.services import notify_program_list
from programs.selectors import directory
from sms.services import NumberCannotBeTexted, text_program_details

from .forms import SendDetailsForm
from .views import _render, _send_refusal, page_language

LIST_KEY = "find_list"
LIST_SENT_KEY = "find_list_sent"
MAX_PROGRAMS = 10


def _ids(request) -> list[str]:
    return list(request.session.get(LIST_KEY, []))[:MAX_PROGRAMS]


def _programs(request) -> list:
    """The listed programs still in the directory, in the order they were added (one query)."""
    ids = _ids(request)
    found = {
        str(program.public_id): program
        for program in directory()
        .filter(public_id__in=ids, organization__is_active=True)
        .select_related("organization")
    }
    return [found[public_id] for public_id in ids if public_id in found]


def _same_site(request) -> bool:
    origin = request.headers.get("Origin")
    return origin is None or urlsplit(origin).netloc == request.get_host()


@never_cache
@require_http_methods(["GET"])
def shortlist(request):
    language = page_language()
    with translation.override(language):
        return _list_page(request, language)


def _list_page(request, language, *, status=200, refusal=""):
    programs = _programs(request)
    return _render(
        "find/list.html",
        {
            "programs": [(program, program.next_steps_in(language)) for program in programs],
            "full": len(programs) >= MAX_PROGRAMS,
            "max_programs": MAX_PROGRAMS,
            "refusal": refusal,
            "page_address": f"{settings.SITE_URL.rstrip('/')}{reverse('find:search')}",
        },
        language=language,
        here=request.path,
        status=status,
        request=request,
    )


@csrf_exempt  # see the module's docstring: the cached program pages carry no token
@require_POST
def add(request):
    language = page_language()
    with translation.override(language):
        if not _same_site(request):
            return _list_page(request, language, status=403, refusal=gettext("That came from another site."))
        public_id = request.POST.get("program", "").strip()
        program = directory().filter(public_id__in=_valid_uuid(public_id), organization__is_active=True).first()
        if program is None:
            return _list_page(
                request, language, status=404, refusal=gettext("We could not find that program in the directory.")
            )
        ids = _ids(request)
        if str(program.public_id) not in ids:
            if len(ids) >= MAX_PROGRAMS:
                return _list_page(
                    request,
                    language,
                    status=409,
                    refusal=gettext("Your list holds %(count)d programs at most: remove one to add another.")
                    % {"count": MAX_PROGRAMS},
                )
            request.session[LIST_KEY] = [*ids, str(program.public_id)]
        return redirect("find:list")


def _valid_uuid(value: str) -> list[str]:
    import uuid

    try:
        return [str(uuid.UUID(value))]
    except ValueError:
        return []


@require_POST
def remove(request):
    public_id = request.POST.get("program", "").strip()
    request.session[LIST_KEY] = [listed for listed in _ids(request) if listed != public_id]
    return redirect("find:list")


@never_cache
@require_http_methods(["GET", "POST"])
def send(request):
    """The whole list to an email address (one email) or a mobile number (one text per program), limited as the
    single program's send is; the answer is a redirect (a reload sends nothing again)."""
    language = page_language()
    with translation.override(language):
        programs = _programs(request)
        if not programs:
            return redirect("find:list")
        form = SendDetailsForm(request.POST if request.method == "POST" else None)
        status = 200
        if request.method == "POST" and form.is_valid():
            contact = form.cleaned_data["to"]
            refusal = None if form.is_bot else _send_refusal(request, contact)
            if refusal is None and not form.is_bot:
                refusal = _send_list(programs, contact, language)
            if refusal is None:
                request.session[LIST_SENT_KEY] = {
                    "sent_to": contact.value if contact.is_email else phone_display(contact.value),
                    "by_email": contact.is_email,
                    "count": len(programs),
                }
                return redirect("find:list_sent")
            form.add_error("to", refusal[0])
            status = refusal[1]
        elif request.method == "POST":
            status = 400
        return _render(
            "find/list_send.html",
            {"programs": programs, "form": form},
            language=language,
            here=request.path,
            status=status,
            request=request,
        )


def _page_url(program) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{reverse('find:program', kwargs={'public_id': program.public_id})}"


def _send_list(programs, contact, language):
    try:
        with transaction.atomic():
            if contact.is_email:
                notify_program_list(programs=programs, email=contact.value, language=language, page_url_of=_page_url)
            else:
                for program in programs:
                    text_program_details(
                        program=program, number=contact.value, language=language, page_url=_page_url(program)
                    )
    except NumberCannotBeTexted as error:
        return error.message, 400
    return None


@never_cache
@require_http_methods(["GET"])
def sent(request):
    language = page_language()
    with translation.override(language):
        done = request.session.get(LIST_SENT_KEY)
        if not done:
            return redirect("find:list")
        return _render("find/list_sent.html", done, language=language, here=request.path, request=request)
