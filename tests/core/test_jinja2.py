"""The Jinja2 backend (core/jinja2.py) prints what Django's templates would, and the pages using it stay safe."""

import re
import uuid
from datetime import UTC, datetime

import pytest
from django.template import engines
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from tests import factories

TEMPLATE = (
    "{{ when }}|{{ when|date('c') }}|{{ count }}|{{ hostile }}|{{ trusted }}|{{ lazy }}|{{ missing.name }}|"
    "{{ none_value|default('nobody') }}|{{ n|pluralize }}|{{ long|truncatechars(8) }}|{{ url('seekers:people') }}|"
    "{% if missing.distance is not none %}shown{% endif %}|{{ missing.distance|floatformat(1) }}|{{ missing.at|date('c') }}|"
    "{{ nobody.program.name }}{{ missing.program.organization.name }}|{{ nobody.seeker.first_name|default('-') }}|"
    "{{ id }}|{{ negative }}|{{ flag }}|{{ lazy_markup }}|{{ lazy_text }}|{{ ratio }}"
)
DJANGO = (
    "{{ when }}|{{ when|date:'c' }}|{{ count }}|{{ hostile }}|{{ trusted }}|{{ lazy }}|{{ missing.name }}|"
    "{{ none_value|default:'nobody' }}|{{ n|pluralize }}|{{ long|truncatechars:8 }}|{% url 'seekers:people' %}|"
    "{% if missing.distance is not None %}shown{% endif %}|{{ missing.distance|floatformat:1 }}|{{ missing.at|date:'c' }}|"
    "{{ nobody.program.name }}{{ missing.program.organization.name }}|{{ nobody.seeker.first_name|default:'-' }}|"
    "{{ id }}|{{ negative }}|{{ flag }}|{{ lazy_markup }}|{{ lazy_text }}|{{ ratio }}"
)


def values():
    return {
        "when": datetime(2026, 3, 4, 17, 5, tzinfo=UTC),
        "count": 1234,
        "hostile": '<script>alert("x")</script>',
        "trusted": mark_safe("<em>kept</em>"),
        "lazy": gettext_lazy("Spanish"),
        "missing": None,
        "none_value": None,
        "n": 2,
        "long": "a long comment",
        # The kinds _finalize prints by a fast path, beside one it does not (a float):
        "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "negative": -1234567,
        "flag": True,
        "lazy_markup": SimpleLazyObject(lambda: mark_safe('<input name="csrfmiddlewaretoken">')),
        "lazy_text": SimpleLazyObject(lambda: "<b>& 'quoted'</b>"),
        "ratio": 1234.5,
    }


@pytest.mark.parametrize("grouped", [False, True])
@pytest.mark.parametrize("language", ["en", "es"])
def test_jinja2_prints_what_django_templates_print(language, grouped, settings):
    settings.USE_THOUSAND_SEPARATOR = grouped
    with translation.override(language):
        jinja = engines["jinja2"].from_string(TEMPLATE).render(values())
        django = engines["django"].from_string(DJANGO).render(values())
    assert jinja == django  # to the character: Django's escaping (&quot;, &#x27;), formats and local time
    assert "&lt;script&gt;" in jinja and "<em>kept</em>" in jinja and "|nobody|" in jinja
    assert ("Español" if language == "es" else "Spanish") in jinja
    assert "|12345678-1234-5678-1234-567812345678|" in jinja and '|<input name="csrfmiddlewaretoken">|' in jinja
    assert "&lt;b&gt;&amp; &#x27;quoted&#x27;&lt;/b&gt;" in jinja
    assert ("|-1234567|" in jinja) is not grouped  # grouped as the language groups thousands ("-1,234,567")


def test_the_jinja_tag_gives_the_page_context_and_its_markup_is_not_escaped_twice(rf):
    page = engines["django"].from_string(
        '{% load jinja_include %}<div>{% jinja "includes/page_links.html" next_url=next %}</div>'
    )
    html = page.render({"next": "/inbound/?page=2&status=all"}, request=rf.get("/"))
    assert '<nav class="pagination" aria-label="Pages">' in html
    assert '<a href="/inbound/?page=2&amp;status=all" rel="next">Next page</a>' in html


@pytest.mark.django_db
def test_one_csrf_token_serves_every_form_of_inbound_referrals_and_is_accepted(network):
    from django.test import Client

    seeker = factories.SeekerFactory(
        organization=network.site, created_by=network.referrer, first_name="Ana", last_name="<b>Ruiz</b>"
    )
    referral = network.refer(seeker=seeker)
    client = Client(enforce_csrf_checks=True)
    client.force_login(network.claimer)
    html = client.get("/inbound/").content.decode()
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert len(tokens) >= 3 and len(set(tokens)) == 1  # next steps and assignment forms, one masked token
    assert "&lt;b&gt;Ruiz&lt;/b&gt;" in html and "<b>Ruiz</b>" not in html
    response = client.post(
        f"/inbound/{referral.public_id}/assign/",
        {"csrfmiddlewaretoken": tokens[0], "assignee": str(network.claimer.public_id)},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.assigned_to == network.claimer


STAMPED = (
    "{% set stamps = {} %}{% for r in rows %}[{{ stamp(stamps, 'referrals/_next_steps.html', "
    "next_steps=r.steps, target='#list', swap='innerHTML', sync='closest [data-live-list]:replace', next=here, "
    "fill={'action_url': r.url, 'version': r.version, 'label_for': r.name}) }}]{% endfor %}"
)
INCLUDED = (
    "{% for r in rows %}[{% with next_steps=r.steps, target='#list', swap='innerHTML', "
    "sync='closest [data-live-list]:replace', next=here, action_url=r.url, version=r.version, label_for=r.name %}"
    "{% include 'referrals/_next_steps.html' %}{% endwith %}]{% endfor %}"
)


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_stamped_partial_is_the_partial_s_own_rendering_for_every_row(language, monkeypatch):
    """core.jinja2.stamp renders Inbound's next-step forms once per set of steps and fills in each row's address,
    version and name: the markup is the include's to the character, names needing escaping included."""
    from types import SimpleNamespace

    from referrals import statuses

    claimer = {statuses.Party.CLAIMER}
    with translation.override(language):
        sent, accepted = statuses.next_steps("sent", claimer), statuses.next_steps("accepted", claimer)
        rows = [
            SimpleNamespace(steps=sent, url="/inbound/a/status/?x=1&y=2", version=1, name='<b>Ana & "Bo"</b>'),
            SimpleNamespace(steps=accepted, url="/inbound/b/status/", version=12, name="Seán O'Neil"),
            SimpleNamespace(steps=statuses.next_steps("sent", claimer), url="/inbound/c/", version=3, name="Kim"),
            SimpleNamespace(steps=[], url="/inbound/d/", version=4, name="Closed Case"),
            SimpleNamespace(steps=sent, url="/inbound/e/", version=5, name="\ue0000\ue001 \ue0002\ue001"),
        ]
        context = {
            "rows": rows,
            "here": "/inbound/?status=sent&urgency=urgent",
            "csrf_input": mark_safe('<input type="hidden" name="csrfmiddlewaretoken" value="t0ken">'),
        }
        env = engines["jinja2"].env
        rendered = []
        real_get_template = env.get_template
        monkeypatch.setattr(env, "get_template", lambda name, *a, **k: rendered.append(name) or real_get_template(name))
        stamped = env.from_string(STAMPED).render(context)
        monkeypatch.undo()
        included = env.from_string(INCLUDED).render(context)
    assert stamped == included
    assert stamped.count('value="accepted"') == 3 and "&lt;b&gt;Ana &amp; &quot;Bo&quot;&lt;/b&gt;" in stamped
    assert "Seán O&#x27;Neil" in stamped
    # Rendered once for each set of steps (sent, accepted, none), not once a row.
    assert rendered.count("referrals/_next_steps.html") == 3
    # A value that looks like a hole is printed as it is (one pass): as often as another name of the same steps.
    assert stamped.count("\ue0000\ue001 \ue0002\ue001") == stamped.count("Kim") > 0


KEPT = "{{ keep('referrals/_inbound_row.html', values, fill={'csrf_input': csrf_input, 'here': here}, stamps={}) }}"


def _row(**changes):
    from referrals import statuses

    values = {
        "public_id": uuid.UUID("4f3c2b1a-0000-4000-8000-000000000001"),
        "seeker": '<b>Ana & "Bo"</b>',
        "urgency": "urgent",
        "overdue": True,
        "program": "Food & Pantry",
        "referred_by": "Sam O.",
        "organization": "Northside <Clinic>",
        "sent_at": datetime(2026, 3, 1, 15, 30, tzinfo=UTC),
        "ago": "2 days ago",
        "status": "sent",
        "stalled": "",
        "stall_due_at": None,
        "next_steps": tuple(statuses.next_steps("sent", {statuses.Party.CLAIMER})),
        "version": 3,
        "claimers": ((7, uuid.UUID(int=7), "Me (Kim B.)"), (8, uuid.UUID(int=8), "Lee & Co")),
        "assigned_to_id": 8,
        "assigned_name": "",
    }
    return {**values, **changes}


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"referred_by": None, "organization": None, "urgency": "routine", "overdue": False},
        {"stalled": "Stalled 4 days", "stall_due_at": datetime(2026, 2, 20, 9, 0, tzinfo=UTC), "status": "accepted"},
        {"claimers": (), "assigned_name": "Jo M.", "next_steps": ()},
        {"seeker": "\ue002" + "0" * 16 + "0\ue003 \ue0000\ue001"},
    ],
)
@pytest.mark.parametrize("language", ["en", "es"])
def test_a_kept_row_is_the_partial_s_own_rendering_and_is_used_again_only_for_the_same_values(
    changes, language, monkeypatch
):
    """core.jinja2.keep renders Inbound's row once per set of values and fills in the page's CSRF field and address
    on each use: the markup is the partial's own to the character (names needing escaping, a self-referral, a
    stalled referral, no claimers, a name that looks like a hole), and any value changed renders it again."""
    from core import jinja2

    jinja2.forget_kept()
    env = engines["jinja2"].env
    values = _row(**changes)
    rendered = []
    real_get_template = env.get_template
    monkeypatch.setattr(env, "get_template", lambda name, *a, **k: rendered.append(name) or real_get_template(name))
    with translation.override(language):
        pages = []
        for token, here in [("t0ken", "/inbound/?a=1&b=<2>"), ("other", "/inbound/"), ("t0ken", "/inbound/?a=1&b=<2>")]:
            csrf_input = mark_safe(f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">')
            context = {"values": values, "csrf_input": csrf_input, "here": here}
            kept = env.from_string(KEPT).render(context)
            monkeypatch.setattr(env, "get_template", real_get_template)
            own = env.get_template("referrals/_inbound_row.html").render({**context, **values, "stamps": {}})
            monkeypatch.setattr(
                env, "get_template", lambda name, *a, **k: rendered.append(name) or real_get_template(name)
            )
            assert kept == own
            pages.append(kept)
        assert rendered.count("referrals/_inbound_row.html") == 1  # kept: the same values, rendered once
        assert pages[0] == pages[2]
        if values["claimers"] or values["next_steps"]:  # forms: each use its own page's token and address
            assert "t0ken" in pages[0] and "t0ken" not in pages[1] and 'value="other"' in pages[1]
            assert 'value="/inbound/?a=1&amp;b=&lt;2&gt;"' in pages[0] and 'value="/inbound/"' in pages[1]
        for field, value in [
            ("version", 4),
            ("seeker", "Ana B."),
            ("ago", "3 days ago"),
            ("claimers", ((9, uuid.UUID(int=9), "Ana"),)),
        ]:
            env.from_string(KEPT).render({"values": {**values, field: value}, "csrf_input": "", "here": "/"})
        assert rendered.count("referrals/_inbound_row.html") == 5  # each change is a rendering of its own
    if changes.get("seeker", "").startswith("\ue002"):  # printed as it is, never taken for a hole
        # The link, the next steps' group and a confirmation, the assignment's label.
        assert pages[0].count(changes["seeker"]) == 4


def test_kept_renderings_are_bounded_the_least_recently_used_forgotten_first(settings):
    """At most settings.KEPT_RENDERINGS are kept in a process; 0 keeps none (each row rendered every time)."""
    from core import jinja2

    settings.KEPT_RENDERINGS = 2
    template = engines["jinja2"].env.from_string(KEPT)
    for version in (1, 2, 1, 3):
        template.render({"values": _row(version=version), "csrf_input": "", "here": "/"})
    assert len(jinja2._kept) == 2
    kept_versions = {dict(key[-1][-1])["version"] for key in jinja2._kept._renderings}
    assert kept_versions == {1, 3}  # 2 was the least recently used
    settings.KEPT_RENDERINGS = 0
    first = template.render({"values": _row(), "csrf_input": "", "here": "/"})
    assert len(jinja2._kept) == 0 and template.render({"values": _row(), "csrf_input": "", "here": "/"}) == first


def test_a_filter_form_s_fields_are_kept_by_their_choices_and_values(monkeypatch):
    """core.forms.filter_fields: the fields as includes/field_grid.html prints them, rendered again for other
    choices (another claimer's programs), other values or errors, and another language."""
    from django import forms
    from django.http import QueryDict
    from django.template.loader import render_to_string

    from core import forms as core_forms
    from core import jinja2

    class Filters(forms.Form):
        program = forms.ChoiceField(label="Program", required=False)
        urgency = forms.ChoiceField(
            label="Urgency", required=False, choices=[("", "Any"), ("urgent", gettext_lazy("Urgent"))]
        )
        days = forms.IntegerField(label="Days", required=False, min_value=0)

        def __init__(self, *args, programs, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["program"].choices = [("", "All")] + [(str(n), name) for n, name in programs]

    jinja2.forget_kept()
    renders = []
    real = core_forms.render_to_string
    monkeypatch.setattr(core_forms, "render_to_string", lambda *a, **k: renders.append(a[0]) or real(*a, **k))
    cases = [
        (None, [(1, "Pantry <North>")]),
        (None, [(1, "Pantry <North>")]),
        (QueryDict("days=-3&program=2&urgency=urgent"), [(1, "Pantry <North>")]),
        (QueryDict("days=-3&program=2&urgency=urgent"), [(1, "Pantry <North>")]),
        (QueryDict("days=-3&program=2&urgency=urgent"), [(1, "Pantry <North>"), (2, "Legal Aid")]),
        (None, [(3, "Another's")]),
    ]
    printed = []
    for data, programs in cases:
        form = Filters(data, programs=programs)
        expected = render_to_string("includes/field_grid.html", {"form": Filters(data, programs=programs)})
        assert core_forms.filter_fields(form) == expected
        printed.append(expected)
    assert renders == ["includes/field_grid.html"] * 4  # cases 1 and 3 were kept
    assert "Pantry &lt;North&gt;" in printed[0] and "Another&#x27;s" in printed[5]
    assert "greater than or equal to 0" in printed[2] and "Select a valid choice" in printed[2]
    assert "Select a valid choice" not in printed[4] and 'value="2" selected' in printed[4]
    with translation.override("es"):
        spanish = core_forms.filter_fields(Filters(None, programs=cases[0][1]))
    assert len(renders) == 5 and "Urgente" in spanish and "Urgente" not in printed[0]
    # Choices in groups and initial values are rendered as usual, each time.
    grouped = Filters(None, programs=[])
    grouped.fields["program"].choices = [("North", [("1", "Pantry")]), ("South", [("2", "Legal Aid")])]
    with_initial = Filters(None, programs=[], initial={"days": 3})
    for form in (grouped, grouped, with_initial, with_initial):
        assert core_forms.filter_fields(form) == real("includes/field_grid.html", {"form": form})
    assert len(renders) == 9 and "<optgroup" in core_forms.filter_fields(grouped)


SENT_ROW = "{{ keep('referrals/_sent_row.html', values, fill={}, stamps={}) }}"


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"call": True, "phone": "3125550142", "status": "declined", "status_reason": "no_capacity"},
        {"call": True, "phone": "", "urgency": "routine", "overdue": False},
        {"stalled": "Stalled 2 days", "stall_due_at": datetime(2026, 2, 20, 9, 0, tzinfo=UTC), "expected_hours": 1},
    ],
)
@pytest.mark.parametrize("language", ["en", "es"])
def test_a_kept_sent_row_is_the_partial_s_own_rendering(changes, language):
    """Sent referrals' rows are kept as Inbound's are: the markup is the partial's own for every kind of row, and a
    value changed renders it again."""
    from core import jinja2

    jinja2.forget_kept()
    env = engines["jinja2"].env
    values = {
        "public_id": uuid.UUID("4f3c2b1a-0000-4000-8000-000000000002"),
        "seeker": '<b>Ana & "Bo"</b>',
        "urgency": "urgent",
        "call": False,
        "phone": "",
        "program": "Food & Pantry",
        "organization": "Northside <Clinic>",
        "sent_at": datetime(2026, 3, 1, 15, 30, tzinfo=UTC),
        "sent_ago": "2 days ago",
        "status": "sent",
        "status_reason": "",
        "stalled": "",
        "stall_due_at": None,
        "overdue": True,
        "expected_hours": 48,
        "updated_at": datetime(2026, 3, 2, 15, 30, tzinfo=UTC),
        "updated_ago": "1 day ago",
        **changes,
    }
    with translation.override(language):
        kept = env.from_string(SENT_ROW).render({"values": values})
        assert kept == env.get_template("referrals/_sent_row.html").render(values)
        assert env.from_string(SENT_ROW).render({"values": values}) == kept
        assert "&lt;b&gt;Ana &amp; &quot;Bo&quot;&lt;/b&gt;" in kept
        again = env.from_string(SENT_ROW).render({"values": {**values, "seeker": "Ada L."}})
        assert "Ada L." in again and "Ana" not in again
