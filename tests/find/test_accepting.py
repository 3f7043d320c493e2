"""The public directory's "Accepting new people now · 3 open slots (updated 2 days ago)" (find_text.accepting)
prints what the include it replaced printed, in both languages, for every state a program can be in."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from tests.find.same_output import printed_alike

# find/_accepting.html as it was (its trailing line break aside): the reference the tag is held to.
INCLUDE = (
    '{% load i18n humanize %}{% if program.accepts_referrals %}<span class="badge badge-ok">{% translate "Accepting '
    'new people now" %}</span>{% if program.on_waitlist %} <span class="badge badge-warn">{% translate "Waitlist" '
    'context "a program\'s state: no open slot" %}</span>{% endif %}{% if program.capacity_available is not None %}'
    " · {% blocktranslate count slots=program.capacity_available %}{{ slots }} open slot{% plural %}{{ slots }} open"
    ' slots{% endblocktranslate %}{% if program.capacity_updated_at %} <span class="muted">({% blocktranslate with'
    " since=program.capacity_updated_at|naturaltime %}updated {{ since }}{% endblocktranslate %})</span>{% endif %}"
    '{% endif %}{% else %}<span class="badge badge-bad">{% translate "Not accepting new people right now" %}</span>'
    "{% endif %}"
)
TAG = "{% load find_text %}{% accepting program %}"


def programs():
    now = timezone.now()
    for accepts in (True, False):
        for waitlist in (False, True):
            for slots in (None, 0, 1, 2, 1234):
                for updated in (None, now - timedelta(seconds=20), now - timedelta(hours=3), now - timedelta(days=45)):
                    yield SimpleNamespace(
                        accepts_referrals=accepts,
                        on_waitlist=waitlist,
                        capacity_available=slots,
                        capacity_updated_at=updated,
                    )


@pytest.mark.parametrize("grouped", [False, True])
@pytest.mark.parametrize("language", ["en", "es"])
def test_the_tag_prints_what_the_include_printed(language, grouped, settings):
    settings.USE_THOUSAND_SEPARATOR = grouped
    different, joined = printed_alike(INCLUDE, TAG, ({"program": program} for program in programs()), language)
    assert different > 20  # the states differ on the page
    if language == "es":
        assert "Recibe personas nuevas ahora" in joined and "lugares disponibles" in joined and "actualizado" in joined
    else:
        assert "1 open slot " in joined and "2 open slots" in joined and "(updated " in joined
