"""The public directory (/find/): anyone finds programs near a zip code, by kind of help and by words, and reads a
program's page, in English or Spanish, without signing in.

The search is the staff's (programs.selectors.directory_search, with the same form), so both find the same
programs in the same order. The pages show programs and their organizations only: never a referral, a person
helped or a member of staff. They are rendered without the request (nothing of the person reading goes into
them) and kept for a short while (find/cache.py). Bad input gets a clear 4xx on the same page, its form keeping
what was typed.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import EmptyPage
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from core import numbers, ratelimit
from core.addresses import set_addresses
from core.pagination import CappedCountPaginator
from core.phones import phone_display
from notifications.services import notify_program_details
from programs.forms import DirectorySearchForm
from programs.models import Category, Program
from programs.selectors import directory_listing, program_get, program_page, with_categories
from sms.services import NumberCannotBeTexted, text_program_details

from . import cache
from .forms import SendDetailsForm
from .templatetags.find_text import category_label

PROGRAMS_PER_PAGE = 20
SEARCH_FIELDS = ("zip", "radius", "category", "q")
# What a program wrote itself is in English (only its next steps may be in Spanish too): on a page in another
# language it is marked so that a screen reader reads it as English.
ENGLISH = mark_safe(' lang="en"')
LANGUAGE_COOKIE_DAYS = 365


def page_language() -> str:
    """The page's language: the visitor's choice (the language cookie the switch sets), else their browser's,
    as LocaleMiddleware found it; English or Spanish."""
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _response(content, language: str, status: int = 200) -> HttpResponse:
    response = HttpResponse(content, status=status)
    response.headers["Content-Language"] = language
    return response


def _render(template: str, context: dict, *, language: str, here: str, status: int = 200, cache_key=None, request=None):
    """Renders a page in ``language``. Only pages rendered without the request (``request`` None: nothing of the
    visitor in them) are kept (``cache_key``); a page with a form that posts needs the request for its CSRF
    token and is never kept."""
    if request is not None:
        cache_key = None
    with translation.override(language):
        body = render_to_string(
            template,
            {
                **context,
                "LANGUAGE_CODE": language,
                "here": here,
                "english": ENGLISH if language != "en" else "",
                "languages": [
                    (code, translation.get_language_info(code)["name_local"].capitalize())
                    for code, _ in settings.LANGUAGES
                ],
            },
            request=request,
        ).encode()
    if status == 200:
        cache.put(cache_key, body)
    return _response(body, language, status)


class PublicSearchForm(DirectorySearchForm):
    """The staff's search form in the visitor's words."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["radius"].label = gettext("Distance")
        self.fields["category"].label = gettext("Kind of help")
        self.fields["q"].label = gettext("Words")


def _canonical(fields: dict) -> str:
    """The search's own address, its fields in a fixed order (links and the cache key do not depend on how the
    visitor's address was written)."""
    return urlencode([(name, fields[name]) for name in SEARCH_FIELDS if fields.get(name) not in (None, "")])


@require_GET
def search(request):
    language = page_language()
    with translation.override(language):
        return _search(request, language)


def _search(request, language):
    asked = any(name in request.GET for name in (*SEARCH_FIELDS, "page"))
    if not asked:
        key = cache.page_key(language=language, path=request.path, fields={})
        cached = cache.get(key)
        if cached is not None:
            return _response(cached, language)
        return _render(
            "find/search.html",
            {"form": PublicSearchForm(), "page": None},
            language=language,
            here=request.path,
            cache_key=key,
        )

    # A kept page is looked up by what was asked, before the form reads the categories: a page is kept only
    # after its search was checked and answered (200), so what it was kept under is valid input.
    asked_fields = {name: request.GET.get(name, "").strip() for name in (*SEARCH_FIELDS, "page")}
    cacheable = not asked_fields["q"] and asked_fields["page"] in ("", *map(str, range(1, cache.CACHED_PAGES + 1)))
    key = cache.page_key(language=language, path=request.path, fields=asked_fields) if cacheable else None
    cached = cache.get(key)
    if cached is not None:
        return _response(cached, language)

    form = PublicSearchForm(request.GET)
    if not form.is_valid():
        return _render(
            "find/search.html",
            {"form": form, "page": None},
            language=language,
            here=request.get_full_path()[:2000],
            status=400,
        )
    fields = {name: form.cleaned_data[name] for name in SEARCH_FIELDS}
    query = _canonical(fields)
    here = f"{request.path}?{query}" if query else request.path
    raw_page = request.GET.get("page", "").strip()
    number = numbers.parse_int(raw_page, minimum=1) if raw_page else 1
    if number is None:
        return _render(
            "find/search.html",
            {
                "form": form,
                "page": None,
                "refusal": gettext("“%(page)s” is not a page number: pages are numbered 1, 2, 3 and so on.")
                % {"page": raw_page[:20]},
            },
            language=language,
            here=here,
            status=400,
        )

    found = directory_listing(
        zip_code=fields["zip"],
        radius_miles=fields["radius"],
        category=fields["category"],
        q=fields["q"],
        categories=form.categories,
    )
    if hasattr(found.programs, "expect"):  # its page and count in one statement
        found.programs.expect(number, PROGRAMS_PER_PAGE)
    paginator = CappedCountPaginator(found.programs, PROGRAMS_PER_PAGE)
    try:
        page = paginator.page(number)
    except EmptyPage:
        page = None
    if page is None:
        return _render(
            "find/search.html",
            {
                "form": form,
                "page": None,
                "first_page_url": here,
                "refusal": gettext("There is no page %(page)s of these results.") % {"page": number},
            },
            language=language,
            here=here,
            status=404,
        )
    page.object_list = _cards(list(page.object_list), form.categories)
    context = {
        "form": form,
        "page": page,
        "page_url": f"{here}{'&' if query else '?'}page=",
        "near_zip": fields["zip"] if fields["zip"] and not found.unplaced_zip else "",
        "unplaced_zip": found.unplaced_zip,
        "radius_ignored": bool(found.unplaced_zip and fields["radius"]),
    }
    return _render(
        "find/search.html",
        context,
        language=language,
        here=f"{here}{'&' if query else '?'}page={number}" if number > 1 else here,
        cache_key=key,
    )


def _cards(programs: list, categories) -> list:
    """What each card of a results page shows beyond the program's own fields, worked out once a page rather than
    once a card by the template: its page's address (``url``, one reverse() for the page) and its categories'
    names in the page's language (``category_labels``, each category's once)."""
    with_categories(programs, categories)
    set_addresses(programs, "find:program", "url")
    labels: dict = {}
    for program in programs:
        program.category_labels = [
            labels[category.pk] if category.pk in labels else labels.setdefault(category.pk, category_label(category))
            for category in program.category_list
        ]
    return programs


@require_GET
def program(request, public_id):
    language = page_language()
    with translation.override(language):
        key = cache.page_key(language=language, path=request.path, fields={})
        cached = cache.get(key)
        if cached is not None:
            return _response(cached, language)
        found, problem = _listed_program(request, language, public_id, get=program_page)
        if problem is not None:
            return problem
        context = {
            "program": found,
            "category_labels": [category_label(Category(name=name)) for name in found.category_names],
            "next_steps": found.next_steps_in(language),
            "page_address": f"{settings.SITE_URL.rstrip('/')}{request.path}",
        }
        return _render("find/program.html", context, language=language, here=request.path, cache_key=key)


def _listed_program(request, language, public_id, *, get=program_get):
    """(program, None) for a program the directory lists, else (None, the page that says why). ``get`` reads it
    (program_get; the program's page, program_page)."""
    try:
        found = get(public_id=public_id)
    except Program.DoesNotExist:
        return None, _problem(
            request,
            language,
            status=404,
            heading=gettext("Program not found"),
            message=gettext("We could not find this program in the directory. Its address may be mistyped."),
        )
    if not found.organization.is_active:
        return None, _problem(
            request,
            language,
            status=410,
            heading=gettext("Program no longer listed"),
            message=gettext(
                "This program's organization has left the network, so the program is "
                "no longer listed. Search for another program near you."
            ),
        )
    return found, None


@never_cache
@require_http_methods(["GET", "POST"])
def send(request, public_id):
    """ "Send this to my phone or email": the program's details go to the address the visitor types, by email
    (the notifications outbox) or text (the sms outbox), and the answer is a redirect to ``sent`` (a reload sends
    nothing again). Nothing is kept but that outbox row (and, in the visitor's own session, where it went). Limited per
    address typed and per client address (core.ratelimit, in the cache); a form with the hidden field filled (a
    bot) is answered as if it were sent, and nothing is."""
    language = page_language()
    with translation.override(language):
        program, problem = _listed_program(request, language, public_id)
        if problem is not None:
            return problem
        form = SendDetailsForm(request.POST if request.method == "POST" else None)
        context = {"program": program, "form": form}
        status = 200
        if request.method == "POST" and form.is_valid():
            contact = form.cleaned_data["to"]
            if form.is_bot:
                return _send_done(request, language, program, contact)
            refusal = _send_refusal(request, contact)
            if refusal is None:
                refusal = _send_details(program, contact, language, request)
            if refusal is None:
                return _send_done(request, language, program, contact)
            form.add_error("to", refusal[0])
            status = refusal[1]
        elif request.method == "POST":
            status = 400
        return _render("find/send.html", context, language=language, here=request.path, status=status, request=request)


def _send_refusal(request, contact) -> tuple[str, int] | None:
    """The limits, client address first (so one client cannot use up someone's address's allowance)."""
    if not ratelimit.hit("find_send_client", ratelimit.request_key(request)):
        minutes = max(1, round(ratelimit.retry_after("find_send_client") / 60))
        return (
            gettext(
                "Too many details were sent from this connection in the last while, so we stopped for now to keep "
                "the service from being misused. Try again in %(minutes)d minutes, or print the page instead."
            )
            % {"minutes": minutes},
            429,
        )
    if not ratelimit.hit("find_send_address", f"{contact.kind}:{contact.value.lower()}"):
        minutes = max(1, round(ratelimit.retry_after("find_send_address") / 60))
        return (
            gettext(
                "We already sent details to this address several times in the last while, so we stopped for now "
                "so that nobody can flood it. Try again in %(minutes)d minutes."
            )
            % {"minutes": minutes},
            429,
        )
    return None


def _send_details(program, contact, language, request) -> tuple[str, int] | None:
    page_url = f"{settings.SITE_URL.rstrip('/')}{reverse('find:program', kwargs={'public_id': program.public_id})}"
    with transaction.atomic():
        if contact.is_email:
            notify_program_details(program=program, email=contact.value, language=language, page_url=page_url)
            return None
        try:
            text_program_details(program=program, number=contact.value, language=language, page_url=page_url)
        except NumberCannotBeTexted as error:
            return error.message, 400
    return None


SENT_KEY = "find_sent"


def _send_done(request, language, program, contact):
    """Post/redirect/get: what was sent is kept in the visitor's session and shown by ``sent``, so reloading the
    answer shows it again and sends nothing."""
    request.session[SENT_KEY] = {
        "program": str(program.public_id),
        "sent_to": contact.value if contact.is_email else phone_display(contact.value),
        "by_email": contact.is_email,
    }
    return redirect("find:sent", public_id=program.public_id)


@never_cache
@require_GET
def sent(request, public_id):
    """The answer to "send this to my phone or email", after the redirect: says where the details went (from
    the visitor's session). Without a send from this browser, the program's page."""
    language = page_language()
    with translation.override(language):
        program, problem = _listed_program(request, language, public_id)
        if problem is not None:
            return problem
        done = request.session.get(SENT_KEY)
        if not done or done.get("program") != str(program.public_id):
            return redirect("find:program", public_id=program.public_id)
        return _render(
            "find/sent.html",
            {"program": program, "sent_to": done["sent_to"], "by_email": done["by_email"]},
            language=language,
            here=request.path,
            request=request,
        )


def _problem(request, language, *, status, heading, message):
    return _render(
        "find/problem.html",
        {"heading": heading, "message": message},
        language=language,
        here=request.path,
        status=status,
    )


@require_GET
def language(request):
    """The language switch: remembers the choice in Django's language cookie (LocaleMiddleware reads it on the
    next page) and goes back to the page it was made on. A GET, since it changes nothing but the visitor's own
    cookie, so the switch is a plain link that works without a form or a script."""
    chosen = request.GET.get("language", "")
    if chosen not in dict(settings.LANGUAGES):
        return _problem(
            request,
            page_language(),
            status=400,
            heading=gettext("Unknown language"),
            message=gettext("Choose English or Español."),
        )
    target = request.GET.get("next", "")
    if not (
        target.startswith(("/find/", "/my/"))
        and len(target) <= 2000
        and target.isprintable()
        and url_has_allowed_host_and_scheme(target, allowed_hosts=None)
    ):
        target = reverse("find:search")
    response = redirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        chosen,
        max_age=LANGUAGE_COOKIE_DAYS * 86400,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE or "Lax",
    )
    return response
