"""A seeker signed in by a one-time link or code (seeker_door) is walked as the staff are (issue 16 item 4):

- every route with identifiers (but the public directory's), filled with another seeker's objects (referral, seeker, goal, note, ...), answers
  404 (405 for a method the route does not take) and changes nothing, while the seeker's own referral opens the
  seeker's pages;
- every other route outside the seeker's and the public pages answers 404: a seeker session reaches no staff page.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from notifications.models import OutboxMessage
from seekers.models import Seeker

from .test_tenant_isolation import (
    OBJECT_ROUTES,
    PLAIN_ROUTES,
    PUBLIC_KINDS,
    _fillings,
    _fingerprint,
    _hint,
    _is_signed,
    _request,
)

SEEKER_PAGES = re.compile(r"^/(my/(?!referrals/[^/]+/status/)|find/|t/|r/)")


@pytest.fixture
def keiko(network):
    """The other tenant's seeker, signed in by the code emailed to her; with a referral of her own."""
    Seeker.objects_across_tenants.filter(pk=network.outsider_seeker.pk).update(email="keiko@example.com")
    own = network.refer(referrer=network.outsider, seeker=network.outsider_seeker, program=network.other_program)
    client = Client(raise_request_exception=False)
    assert client.post("/my/sign-in/", {"contact": "keiko@example.com"}).status_code == 302
    body = OutboxMessage.objects.filter(kind=OutboxMessage.Kind.SEEKER_SIGN_IN).latest("id").body_text
    assert client.post("/my/sign-in/code/", {"code": re.search(r"\b(\d{6})\b", body).group(1)}).status_code == 302
    return client, own


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=lambda r: r.label)
def test_a_signed_in_seeker_finds_nothing_of_another_seeker(route, network, victims, keiko):
    client, _ = keiko
    before = _fingerprint()
    for used, path in _fillings(route, victims):
        for method in ("get", "post", "put", "patch", "delete"):
            answer = _request(client, method, path)
            if used <= PUBLIC_KINDS:  # the directory is public: open to anyone, a seeker included
                assert answer.status_code < 500, f"{route.label} {method} {path}: {answer.status_code}"
                continue
            # A link's forged token is refused as for a referral that exists nowhere (400), before any lookup.
            refused = (400, 404, 405) if _is_signed(route) else (404, 405)
            assert answer.status_code in refused, f"{route.label} {method} {path}: {answer.status_code}"
            assert b"VICTIM-MARKER" not in answer.content and b"Hernandez" not in answer.content
    assert _fingerprint() == before


def test_the_seekers_own_referral_opens_their_pages(network, victims, keiko):
    client, own = keiko
    seeker_routes = [
        route
        for route in OBJECT_ROUTES
        if route.namespaces
        and route.namespaces[0] == "seeker_door"
        # the seeker's own pages, not asking a program for help (public, under /find/programs/<program>/)
        and all(_hint(parameter) in (None, "referral") for parameter in route.identifiers)
    ]
    assert seeker_routes
    opened = [
        route.label
        for route in seeker_routes
        for _, path in _fillings(route, {"referral": own.public_id}, kinds=["referral"])
        if client.get(path).status_code == 200
    ]
    assert opened, "the walker above would pass for the wrong reason"


@pytest.mark.parametrize("route", PLAIN_ROUTES, ids=lambda r: r.label)
def test_a_seeker_session_reaches_no_staff_page(route, network, victims, keiko):
    client, _ = keiko
    for _, path in _fillings(route, victims):
        answer = client.get(path)
        if SEEKER_PAGES.match(path):
            assert answer.status_code < 500, f"{route.label}: {answer.status_code}"
            assert b"Hernandez" not in answer.content
        else:
            assert answer.status_code == 404, f"{route.label} {path}: {answer.status_code}"
