"""Jinja2, Django's second template backend, for the rows of the busiest lists (issue 18).

Django's template language walks a node tree and resolves each ``{{ a.b.c }}`` by trying a dict key, an
attribute and an index in turn: on Inbound Referrals that was ~50 ms of a page's 80 (25 rows, each with its
next-step forms and the claimers' list). Jinja2 compiles a template to Python once; the same rows render in a
fraction of that. The lists' partials live in ``templates/jinja2/`` (Inbound Referrals' and Sent referrals' rows,
the next-step forms, program search's cards, both People I'm Helping lists, a profile's referral rows, the
pagination links, a referral's panel and an action's confirmation); the pages around them stay in Django's
language and include them with ``{% jinja "name" %}`` (core.templatetags.jinja_include). Form widgets render
with Django's own Jinja2 widget templates (``FormRenderer``). Seeker-facing pages stay in Django's language:
makemessages and the Spanish catalogue's test read their messages.

The markup is Django's to the character (tests/core/test_jinja2.py compares the two):

- every value printed goes through what Django's templates do to it (``finalize``: local time, ``localize``,
  Django's ``escape``); markupsafe honours Django's ``mark_safe``;
- the filters are the project's own (its template tag libraries' filter functions, one rule book) and Django's
  built-in ones under their names (``date``, ``truncatechars``, ``pluralize``, ``default``...), given a missing
  value as Django gives it (an empty string); ``x is none`` is true of a missing value, as in Django;
- ``url``, ``static``, ``querystring`` and the translation functions (``_``, ``gettext``, ``ngettext``,
  ``pgettext``) are Django's, so the message catalogue is the one every other template uses (``url`` by
  core.addresses, which reverses each view once per process);
- the CSRF field ``csrf_input`` is the page's one token (core.context_processors.csrf_once).

Inbound Referrals' rows are kept across requests (``keep``), each by everything it prints, and rendered again
only when one of those values changes; a partial printed on every row with only a few values different is
stamped (``stamp``): rendered once per page and filled in.
"""

from __future__ import annotations

import html
import re
import secrets
import threading
from collections import OrderedDict
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from uuid import UUID

from django import forms
from django.conf import settings
from django.forms.renderers import BaseRenderer
from django.forms.renderers import DjangoTemplates as DjangoTemplatesRenderer
from django.forms.renderers import Jinja2 as Jinja2Renderer
from django.template import TemplateDoesNotExist, defaultfilters, engines
from django.template.defaulttags import querystring as django_querystring
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import formats, timezone, translation
from django.utils.functional import Promise, SimpleLazyObject, cached_property, empty
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.timezone import template_localtime
from jinja2 import ChainableUndefined, Environment, Undefined, pass_context
from markupsafe import Markup

from core.addresses import address

# The template tag libraries whose filters the Jinja2 templates use, by the names a Django template loads them
# with ({% load referral_display %}): found through Django's engine, which knows every app's libraries, so that
# core imports no app above it.
FILTER_LIBRARIES = ["contact_links", "program_display", "referral_display"]
# Django's built-in filters that the partials use (Jinja2's own of the same name differ: ``default`` applies
# only to undefined values, ``truncate`` counts differently).
DJANGO_FILTERS = [
    "date",
    "default",
    "default_if_none",
    "floatformat",
    "join",
    "linebreaksbr",
    "pluralize",
    "stringformat",
    "time",
    "truncatechars",
    "truncatewords",
    "upper",
    "yesno",
]


def _finalize(value):
    """What Django's templates do to every value they print (django.template.base.render_value_in_context):
    local time, ``localize``, then Django's ``escape`` (quotes as &quot; and &#x27;, where markupsafe would
    write &#34; and &#39;), so that the markup is Django's to the character. Marked safe, autoescape leaves it.

    The kinds a busy list prints most (Inbound Referrals: ~2,800 values a page) take a fast path that gives
    what the whole way would: localize and local time leave a string, a UUID and a translation as they are,
    and print an int as its digits unless thousands are grouped; the page's one CSRF field is a lazy object,
    printed as what it wraps."""
    kind = type(value)
    if kind is str:
        return Markup(html.escape(value))  # what django.utils.html.escape does, without its lazy wrapper
    if kind is SafeString or kind is Markup:
        return value
    if kind is SimpleLazyObject:  # csrf_input, csrf_token: what they wrap, computed once
        if value._wrapped is empty:
            value._setup()
        return _finalize(value._wrapped)
    if kind is UUID or (kind is int and not settings.USE_THOUSAND_SEPARATOR):
        return Markup(str(value))
    if isinstance(value, Promise) and not hasattr(value, "__html__"):  # a translation (gettext_lazy)
        return Markup(html.escape(str(value)))
    value = formats.localize(template_localtime(value))
    return value if hasattr(value, "__html__") else escape(value)


@pass_context
def querystring(context, query_dict=None, **kwargs) -> str:
    """Django's ``{% querystring %}``: the request's query with these parameters set (None removes one)."""
    return django_querystring(SimpleNamespace(request=context["request"]), query_dict, **kwargs)


def url(name: str, *args, **kwargs) -> str:
    """Django's ``{% url %}``: by core.addresses when given public ids (each view's address worked out once)."""
    if kwargs:
        return reverse(name, args=args or None, kwargs=kwargs)
    return address(name, *args)


# What a stamped partial prints where a filled-in value goes (``stamp``): a number between two private-use
# characters, which no escaping changes.
_HOLE = "\ue000{}\ue001"
_HOLES = re.compile("\ue000([0-9]+)\ue001")


@pass_context
def stamp(context, stamps: dict, name: str, *, fill: dict, **given):
    """``{% include name %}`` with ``given`` and ``fill`` as its variables, rendered once per ``stamps`` (a dict the
    calling template makes: ``{% set stamps = {} %}``, one per rendering) for the same ``given`` values, and
    copied for later calls with the same ``given``, their own ``fill`` values put in.

    For a partial printed on every row of a long list that differs from one row to the next only by a few values
    it prints: Inbound Referrals' next-step forms, the same for every row of a status but for the referral's
    address, version and person's name, took 4.5 of the 9.3 ms its 25 rows took to render. ``given`` (lists read
    as tuples) must hold everything else that makes one rendering differ from another (the steps: the rest is the
    page's); each ``fill`` value must be printed as it is (``{{ name }}``), never tested, filtered or read into:
    it is printed as Jinja2 prints it (``_finalize``), in one pass (a value is never searched for holes).
    tests/core/test_jinja2.py compares the result with the partial's own rendering."""
    fields = tuple(fill)
    key = (name, fields, *((field, tuple(v) if isinstance(v, list) else v) for field, v in sorted(given.items())))
    stamped = stamps.get(key)
    if stamped is None:
        holes = {field: _HOLE.format(number) for number, field in enumerate(fields)}
        stamped = stamps[key] = context.environment.get_template(name).render({**context.get_all(), **given, **holes})
    printed = [str(_finalize(fill[field])) for field in fields]

    def value(hole):
        number = int(hole.group(1))
        return printed[number] if number < len(printed) else hole.group(0)

    return Markup(_HOLES.sub(value, stamped))  # noqa: S704  (Jinja2's own rendering, escaped as it printed it)


# What a kept partial prints where a filled-in value goes (``keep``): a number between two private-use characters,
# after a secret drawn once per process, so that no value a person typed (a name printed in the partial) can pass
# for a hole.
_KEEP_SECRET = secrets.token_hex(8)
_KEEP_HOLE = "\ue002" + _KEEP_SECRET + "{}\ue003"
_KEEP_HOLES = re.compile("\ue002" + _KEEP_SECRET + "([0-9]+)\ue003")


class _Kept:
    """The renderings ``keep`` holds, the least recently used forgotten first; one lock, as gunicorn's threads
    may share a process."""

    def __init__(self, size: int):
        self.size = size
        self._renderings: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            parts = self._renderings.get(key)
            if parts is not None:
                self._renderings.move_to_end(key)
            return parts

    def put(self, key, parts) -> None:
        with self._lock:
            self._renderings[key] = parts
            while len(self._renderings) > self.size:
                self._renderings.popitem(last=False)

    def __len__(self) -> int:
        return len(self._renderings)

    def clear(self) -> None:
        with self._lock:
            self._renderings.clear()


def _typed_size() -> int:
    """The store of renderings keyed by what people typed: a sixteenth of the main one, at least 16 (none when
    nothing is kept)."""
    return min(settings.KEPT_RENDERINGS, max(16, settings.KEPT_RENDERINGS // 16))


# How many kept renderings a process holds: settings.KEPT_RENDERINGS (a row of Inbound Referrals is ~5 KB).
_kept = _Kept(settings.KEPT_RENDERINGS)
# Renderings keyed by what a person typed (a filter form with free text: the public directory's words or zip code)
# are kept apart, in a smaller store (``kept(typed=True)``): visitors typing something new on every request can push
# out only each other's, never Inbound's rows or the forms people choose from.
_kept_typed = _Kept(_typed_size())


def forget_kept(**kwargs) -> None:
    """setting_changed: what a kept rendering printed may depend on any setting (formats, addresses, languages)."""
    _kept.clear()
    _kept.size = settings.KEPT_RENDERINGS
    _kept_typed.clear()
    _kept_typed.size = _typed_size()


@pass_context
def keep(context, name: str, values: dict, *, fill: dict, stamps: dict | None = None):
    """``name`` rendered from ``values`` alone, kept across requests (at most settings.KEPT_RENDERINGS in a process)
    and used again wherever the same values come back, ``fill``'s values put in its holes as ``stamp`` puts them.

    For a row of a busy list seen again and again: Inbound Referrals' rows, by everything a row prints (the
    referral's version, names, time since it was sent, the viewer's next steps...), so that a row is rendered
    once while it looks the same. The partial sees only ``values``, ``fill`` and Jinja2's globals (``url``,
    translations): nothing else of the page, so what it prints is a function of its key, which is ``values``
    (each hashable: tuples, not lists; compared by ``==``, so give each field values of one type, as ``True == 1``)
    with the language, the time zone and what addresses depend on. Each ``fill`` value (the page's CSRF field, its
    address) must be printed as it is, never tested but for being empty when it never is; ``stamps`` (the page's,
    for ``stamp`` inside the partial) only saves work. tests/core/test_jinja2.py compares it with rendering afresh."""
    page = {} if stamps is None else stamps
    where = page.get(_WHERE)
    if where is None:  # the same for every row of a page: asked once (~10 µs)
        where = page[_WHERE] = _where()

    def render(**holes):
        return context.environment.get_template(name).render({**values, **holes, "stamps": page})

    return Markup(kept((name, tuple(values.items())), render, where=where, fill=fill))  # noqa: S704


# Where a page's kept renderings are noted what they depend on besides their values (``_where``), in its ``stamps``.
_WHERE = ("kept: where",)


def _where() -> tuple:
    """What a rendering depends on besides its values: the language, the time zone, and what addresses depend on."""
    return (translation.get_language(), timezone.get_current_timezone_name(), get_script_prefix(), get_urlconf())


def kept(key: tuple, render, *, where: tuple | None = None, fill: dict | None = None, typed: bool = False) -> str:
    """``render(**holes)``'s markup, kept per process by ``key`` (which must hold everything it depends on besides
    ``where``: by default the language, time zone and address settings, ``_where``), with ``fill``'s values put in
    its holes on each use: ``render`` is given a hole for each (``_hole``) and prints it where the value goes. For
    ``keep``'s partials, and for parts of pages rendered in Python: a list's filter form (core.forms.filter_fields),
    a directory's result card (its "accepting" line filled in). ``typed``: the key holds text a person typed, and the
    rendering is kept in the smaller store of such renderings (``_kept_typed``)."""
    fill = fill or {}
    fields = tuple(fill)
    key = (_where() if where is None else where, fields, key)
    store = _kept_typed if typed else _kept
    parts = store.get(key)
    if parts is None:
        cut = _KEEP_HOLES.split(render(**{field: _hole(field, number) for number, field in enumerate(fields)}))
        parts = (tuple(cut[0::2]), tuple(int(number) for number in cut[1::2]))
        store.put(key, parts)
    texts, numbers = parts
    if not numbers:
        return texts[0]
    printed = [str(_finalize(fill[field])) for field in fields]
    return texts[0] + "".join(printed[number] + text for number, text in zip(numbers, texts[1:], strict=True))


def _hole(field: str, number: int):
    """A hole for ``kept``: the CSRF field, which Jinja2 prints as it is, as markup; any other value as text, which
    escaping leaves as it is."""
    hole = _KEEP_HOLE.format(number)
    return Markup(hole) if field in ("csrf_input", "csrf_token") else hole  # noqa: S704


def _django_filter(function):
    """A Django filter as a Jinja2 one. As in Django's templates, a missing value reaches it as "" (its
    ``string_if_invalid``), and filters that ask whether autoescape is on are told it is."""
    autoescape = {"autoescape": True} if getattr(function, "needs_autoescape", False) else {}

    def apply(value, *args):
        return function("" if isinstance(value, Undefined) else value, *args, **autoescape)

    return apply


def _is_none(value) -> bool:
    """``x is none``: true of a missing value too, as ``x is None`` is in Django's templates."""
    return value is None or isinstance(value, Undefined)


def _in_local_time(function):
    """Django's templates give a filter a datetime in the current time zone (FilterExpression.resolve)."""
    return _django_filter(lambda value, *args: function(template_localtime(value), *args))


def _date(value, *args):
    """Django's ``date`` filter. ``date('c')`` on a datetime, which the busiest lists print on every row (the
    ``datetime`` of a ``<time>``), is its ISO 8601 form: what Django's format "c" answers, without parsing
    the format each time."""
    if args == ("c",) and type(value) is datetime:
        return template_localtime(value).isoformat()
    return _local_date(value, *args)


_local_date = _in_local_time(defaultfilters.date)


def _filters() -> dict:
    filters = {name: _django_filter(getattr(defaultfilters, name)) for name in DJANGO_FILTERS}
    filters.update({"date": _date, "time": _in_local_time(defaultfilters.time)})
    libraries = engines["django"].engine.template_libraries
    for name in FILTER_LIBRARIES:
        filters.update({name: _django_filter(function) for name, function in libraries[name].filters.items()})
    return filters


def environment(**options) -> Environment:
    options.setdefault("extensions", []).append("jinja2.ext.i18n")
    # A missing value's attributes are missing too, and print as nothing, as in Django's templates whatever the
    # DEBUG setting: Django's backend would give Jinja2's Undefined (which raises on ``a.b.c`` past the first
    # missing step: a 500 where Django showed an empty cell), or under DEBUG one that prints "{{ a }}".
    options["undefined"] = ChainableUndefined
    env = Environment(finalize=_finalize, **options)
    env.install_gettext_callables(
        gettext=translation.gettext,
        ngettext=translation.ngettext,
        pgettext=translation.pgettext,
        npgettext=translation.npgettext,
        newstyle=True,
    )
    env.globals.update({"url": url, "static": static, "querystring": querystring, "stamp": stamp, "keep": keep})
    env.filters.update(_filters())
    env.tests["none"] = _is_none
    return env


class _WidgetsInJinja2(Jinja2Renderer):
    """Django's Jinja2 widget templates, in this module's environment (the same escaping and formats)."""

    @cached_property
    def engine(self):
        return self.backend(
            {
                "APP_DIRS": True,
                "DIRS": [Path(forms.__file__).parent / self.backend.app_dirname],
                "NAME": "djangoforms",
                "OPTIONS": {"environment": "core.jinja2.environment"},
            }
        )


class FormRenderer(BaseRenderer):
    """Form widgets rendered with Django's own Jinja2 widget templates (django/forms/jinja2/), which give the
    same markup as its Django-language ones: a search form's selects printed each option through a template of
    its own (with the cards in Jinja2 too, program search's CPU went from 19.7 to 16.4 ms a request). Widgets
    whose templates exist only in Django's language (the admin's, phonenumber_field's) are rendered with those
    (settings.FORM_RENDERER)."""

    def __init__(self):
        self.jinja2, self.django = _WidgetsInJinja2(), DjangoTemplatesRenderer()

    def get_template(self, template_name):
        try:
            return self.jinja2.get_template(template_name)
        except TemplateDoesNotExist:
            return self.django.get_template(template_name)
