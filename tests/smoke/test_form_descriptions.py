"""Every form page's help and error texts are announced: each id an input's aria-describedby names exists.

Django points a field at ``<id>_helptext`` (and ``<id>_error``); a template that renders the help under
another id, or none, leaves screen-reader users without the hint ("Five digits, e.g. 60640").
"""

import re

import pytest


def missing_descriptions(html: str) -> list[str]:
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    named = {ref for value in re.findall(r'aria-describedby="([^"]+)"', html) for ref in value.split()}
    return sorted(named - ids)


@pytest.mark.parametrize(
    "who, path",
    [
        ("referrer", "/people/new/"),
        ("referrer", "/people/{seeker}/edit/"),
        ("referrer", "/programs/{program}/connect/?seeker={seeker}"),
        ("referrer", "/accounts/password/change/"),
        ("referrer", "/account/email/"),
        ("claimer", "/programs/{program}/manage/"),
        ("site_admin", "/settings/webhooks/"),
        (None, "/accounts/password/reset/"),
    ],
)
def test_every_description_an_input_names_is_on_the_page(network, client, who, path):
    if who:
        client.force_login(getattr(network, who))
    url = path.format(seeker=network.seeker.public_id, program=network.program.public_id)
    page = client.get(url)
    assert page.status_code == 200
    assert missing_descriptions(page.content.decode()) == [], url
    refused = client.post(url, {})  # an empty form: the page again, with its error messages
    if refused.status_code != 302:
        assert missing_descriptions(refused.content.decode()) == [], url
