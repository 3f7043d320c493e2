"""Browsers ask every page for an icon: the pages name one, and /favicon.ico answers too."""

from django.contrib.staticfiles import finders
from django.test import Client


def test_pages_name_the_site_icon(client, network):
    client.force_login(network.referrer)
    html = client.get("/people/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    assert '<link rel="icon" href="/favicon.ico" sizes="32x32">' in html
    svg = open(finders.find("favicon.svg"), encoding="utf-8").read()
    assert svg.startswith("<svg") and 'viewBox="0 0 32 32"' in svg


def test_favicon_ico_answers_at_the_root_without_signing_in(db):
    response = Client().get("/favicon.ico")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body[:4] == b"\x00\x00\x01\x00"  # an icon file (ICO header), not a page
