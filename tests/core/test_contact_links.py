"""Phone numbers call and addresses open a map, wherever a page or an email shows one."""

from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from django.template import Context, Template

from core.templatetags.contact_links import map_url, phone_link, tel_uri


@pytest.mark.parametrize(
    "stored, uri",
    [
        ("3125550142", "tel:+13125550142"),
        ("(312) 555-0142", "tel:+13125550142"),
        ("1-312-555-0142", "tel:+13125550142"),
        ("+52 55 1234 5678", "tel:+525512345678"),
        ("ask at the front desk", ""),
        ("555-0142", ""),
    ],
)
def test_a_number_one_can_call_gets_a_tel_uri(stored, uri):
    assert tel_uri(stored) == uri


def test_the_link_shows_the_number_as_people_write_it_and_escapes_text():
    assert phone_link("3125550142") == '<a href="tel:+13125550142">312-555-0142</a>'
    assert phone_link("(312) 555-0142") == '<a href="tel:+13125550142">(312) 555-0142</a>'
    assert phone_link("") == ""
    rendered = Template("{% load contact_links %}{{ value|phone_link }}").render(Context({"value": "<b>call</b>"}))
    assert rendered == "&lt;b&gt;call&lt;/b&gt;"


def test_an_address_links_to_the_map_with_the_whole_address():
    place = SimpleNamespace(address="4733 N Broadway St", city="Chicago", state="IL", zip_code="60640")
    rendered = Template("{% load contact_links %}{% map_link place %}").render(Context({"place": place}))
    assert ">4733 N Broadway St, Chicago, IL 60640</a>" in rendered
    query = parse_qs(urlsplit(map_url(place)).query)
    assert query == {"api": ["1"], "query": ["4733 N Broadway St, Chicago, IL 60640"]}
    nowhere = SimpleNamespace(address="", city="Chicago", state="", zip_code="")
    assert Template("{% load contact_links %}{% map_link place %}").render(Context({"place": nowhere})) == "Chicago"
    assert map_url(nowhere) == ""
