"""The public directory's result card (find_text.result_card) prints what the card's lines in find/search.html
printed, in both languages, for programs of every kind: with and without distance, city, phone, address,
description and categories, names that need escaping, and English marked on a Spanish page."""

from types import SimpleNamespace

import pytest
from django.utils.safestring import mark_safe

from tests.find.same_output import printed_alike

# The card as find/search.html wrote it (from its "<li" to its "</li>"): the reference the tag is held to.
CARD = (
    "{% load i18n find_text contact_links %}"
    '<li class="card program-result">\n'
    '      <h3><a href="{{ program.url }}"{{ english }}>{{ program.name }}</a></h3>\n'
    '      <p class="muted"><span{{ english }}>{{ program.organization.name }}</span>{% for label in program.category_labels %} · {{ label }}{% endfor %}</p>\n'
    '      <ul class="program-facts">\n'
    "        {% if program.distance_miles is not None %}<li>{% blocktranslate with miles=program.distance_miles|floatformat:1 %}{{ miles }} miles away{% endblocktranslate %}{% if program.city %} ({{ program.city }}){% endif %}</li>{% endif %}\n"
    "        <li>{% accepting program %}</li>\n"
    '        {% if program.phone %}<li>{% translate "Phone:" %} {{ program.phone|phone_link }}</li>{% endif %}\n'
    '        {% if program.address %}<li>{% translate "Address:" %} {% map_link program %}</li>{% endif %}\n'
    "      </ul>\n"
    "      {% if program.description %}<p{{ english }}>{{ program.description|truncatewords:30 }}</p>{% endif %}\n"
    "    </li>"
)
TAG = "{% load find_text %}{% result_card program english %}"
ENGLISH = mark_safe(' lang="en"')


def programs():
    for distance in (None, 0.04, 6.55, 1234.5):
        for city in ("", "Chicago", "O'Hare & <Co>"):
            for phone in ("", "312-555-0142", "ask for Ana & <Bo>"):
                for address in ("", "4733 N Broadway St"):
                    for description in ("", 'Hot meals & groceries "for all". ' * 12):
                        yield SimpleNamespace(
                            url="/find/programs/5f0c/?a=1&b=2",
                            name='Uptown "Pantry" & <Kitchen>',
                            organization=SimpleNamespace(name="Food & Friends"),
                            category_labels=["Food", mark_safe('<span lang="en">Legal</span>')][: 2 if city else 0],
                            **({} if distance is None else {"distance_miles": distance}),  # none without a zip
                            city=city,
                            state="IL",
                            zip_code="60640",
                            phone=phone,
                            address=address,
                            description=description,
                            accepts_referrals=bool(phone),
                            on_waitlist=False,
                            capacity_available=3 if address else None,
                            capacity_updated_at=None,
                        )


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_tag_prints_what_the_template_printed(language):
    contexts = ({"program": program, "english": english} for english in ("", ENGLISH) for program in programs())
    different, joined = printed_alike(CARD, TAG, contexts, language)
    assert different > 250  # the kinds differ on the page
    if language == "es":
        assert "millas" in joined and "Teléfono:" in joined and ' lang="en"' in joined
    else:
        assert "6.5 miles away (O&#x27;Hare &amp; &lt;Co&gt;)" in joined or "6.6 miles away" in joined
        assert "Uptown &quot;Pantry&quot; &amp; &lt;Kitchen&gt;" in joined


def test_the_words_kept_per_language_are_forgotten_when_the_languages_change(settings):
    """The cards keep each word's translation per language (find_text._words); a change to the languages or the
    catalogs' places (a test's settings) forgets them, so no word outlives the catalog it came from."""
    from django.utils import translation

    from find.templatetags import find_text

    with translation.override("es"):
        assert find_text._words("es", "Phone:") == "Teléfono:"
    assert find_text._TRANSLATED
    settings.LOCALE_PATHS = [*settings.LOCALE_PATHS]
    assert not find_text._TRANSLATED


def test_a_kept_card_is_used_again_only_for_the_same_values_and_says_whether_the_program_takes_people_now(
    monkeypatch,
):
    """The card is kept by everything it prints (find_text.result_card, core.jinja2.kept) but its "accepting" line,
    worked out each time: the same program again is not rendered again, yet its accepting state, its name or
    anything else it prints shows as it is now, and text that looks like the line's place is printed as it is."""
    from core import jinja2
    from find.templatetags import find_text

    jinja2.forget_kept()
    made = []
    real = find_text._card
    monkeypatch.setattr(find_text, "_card", lambda *args: made.append(args[0].name) or real(*args))
    program = next(p for p in programs() if p.phone and p.address and p.description and p.city)
    program.description = "\ue002" + "0" * 16 + "0\ue003 and more"
    seen = []
    for change in [
        {},
        {},
        {"accepts_referrals": False},
        {"accepts_referrals": True, "capacity_available": 9},
        {"name": "Renamed"},
        {},
    ]:
        for field, value in change.items():
            setattr(program, field, value)
        different, joined = printed_alike(CARD, TAG, [{"program": program, "english": ""}], "en")
        seen.append(joined)
    assert made == ['Uptown "Pantry" & <Kitchen>', "Renamed"]  # rendered once for each name, not each time
    assert "Not accepting new people right now" in seen[2] and "9 open slots" in seen[3] and "Renamed" in seen[4]
    assert "\ue002" + "0" * 16 + "0\ue003 and more" in seen[0]
