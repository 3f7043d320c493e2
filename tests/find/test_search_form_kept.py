"""The public directory's search form is rendered once per process for each set of choices, values and language
(core.forms.filter_fields with find/_search_fields.html), and prints what the fields' loop in find/search.html
printed: with and without values, with errors, in English and Spanish, and with the categories as they are now."""

import pytest
from django.http import QueryDict
from django.template import engines
from django.utils import translation

from core import forms as core_forms
from core import jinja2
from find.views import PublicSearchForm
from programs.models import Category

pytestmark = pytest.mark.django_db

# The fields as find/search.html wrote them: the reference the kept rendering is held to.
FIELDS = (
    '<div class="form-grid">\n'
    '    {% for field in form %}<div class="field">{% include "includes/field.html" %}</div>{% endfor %}\n'
    "  </div>"
)
ASKED = [None, "zip=60640", "zip=60640&radius=10&category=food&q=legal+aid", "zip=abc&radius=7&category=nope", ""]


def kept_fields(data):
    return core_forms.filter_fields(PublicSearchForm(data), "find/_search_fields.html")


def as_written(data):
    return engines["django"].from_string(FIELDS).render({"form": PublicSearchForm(data)})


@pytest.fixture
def categories():
    Category.objects.create(name="Food", slug="food")
    Category.objects.create(name="Legal aid <help>", slug="legal")


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_kept_fields_print_what_the_page_printed(categories, language, monkeypatch):
    jinja2.forget_kept()
    renders = []
    real = core_forms.render_to_string
    monkeypatch.setattr(core_forms, "render_to_string", lambda *a, **k: renders.append(a[0]) or real(*a, **k))
    with translation.override(language):
        for query in ASKED:
            data = None if query is None else QueryDict(query)
            assert kept_fields(data) == as_written(data)
            assert kept_fields(data) == as_written(data)  # the second from what was kept
    assert len(renders) == len(ASKED)
    with translation.override(language):
        invalid = kept_fields(QueryDict("zip=abc&radius=7&category=nope"))
    assert invalid.count('class="errorlist') == 3 and "Legal aid &lt;help&gt;" in invalid


def test_a_new_or_renamed_category_shows_at_once(categories, client):
    jinja2.forget_kept()
    assert ">Housing<" not in client.get("/find/?zip=60640").content.decode()
    Category.objects.create(name="Housing", slug="housing")
    Category.objects.filter(slug="food").update(name="Food and meals")
    page = client.get("/find/?zip=60640").content.decode()
    assert ">Housing<" in page and ">Food and meals<" in page


def test_what_visitors_type_is_kept_apart_and_cannot_push_out_other_renderings(categories, settings, monkeypatch):
    """Words and zip codes are typed, and anyone may type something new on every request: those renderings go to a
    smaller store of their own, so they never push out Inbound's rows or a form of chosen values."""
    settings.KEPT_RENDERINGS = 64  # the typed store: 16
    renders = []
    real = core_forms.render_to_string
    monkeypatch.setattr(core_forms, "render_to_string", lambda *a, **k: renders.append(a[0]) or real(*a, **k))
    chosen = QueryDict("category=food&radius=10")
    kept_fields(chosen)
    assert (len(jinja2._kept), len(jinja2._kept_typed)) == (1, 0)
    for number in range(100):
        query = QueryDict(f"zip=60640&q=words+{number}&category=food")
        assert kept_fields(query) == as_written(query)
    assert (len(jinja2._kept), len(jinja2._kept_typed)) == (1, 16)
    rendered = len(renders)
    assert kept_fields(chosen) == as_written(chosen)
    assert len(renders) == rendered  # still kept
    kept_fields(QueryDict("zip=60640&q=words+99&category=food"))
    assert len(renders) == rendered  # the latest typed one too
    kept_fields(QueryDict("category=food&junk=1"))  # a parameter no field reads counts as typed
    assert (len(jinja2._kept), len(jinja2._kept_typed)) == (1, 16)
