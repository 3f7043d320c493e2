"""Hostile input: every answer is a clear 4xx (or the text shown harmlessly), nothing changes, never a 500."""

import json
import urllib.error
import urllib.request

import pytest
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from goals.models import Goal
from referrals.models import Note, Referral
from referrals.services import note_add
from seekers.models import Seeker
from tests.factories import api_token

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'
SQL = "'; DROP TABLE seekers_seeker; --' OR '1'='1"
UNICODE = [
    "\u202eevil\u202c",  # right-to-left override
    "Zoë Zoe\u0308 Z\u0336a\u0337l\u0338g\u0335o",  # combining characters
    "Ana 👩🏽‍⚕️ 🏳️‍🌈",  # emoji with joiners and modifiers
    "مريم العربية",  # right-to-left script
    "Nguyễn Thị ㄱ 漢字 \u200bzero\u200dwidth",
]


def signed_in(user, **kwargs) -> Client:
    client = Client(raise_request_exception=False, **kwargs)
    client.force_login(user)
    return client


def api(user) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


@pytest.fixture
def hostile(network):
    """A seeker, goal, referral comment and note full of markup, in the referrer's organization."""
    seeker = Seeker.objects_across_tenants.get(pk=network.seeker.pk)
    seeker.first_name, seeker.last_name = SCRIPT, SCRIPT
    seeker.save()
    Goal.objects_across_tenants.create(
        organization=network.site, seeker=seeker, title=SCRIPT, created_by=network.referrer
    )
    referral = network.refer(seeker=seeker, comment=SCRIPT)
    note_add(actor=network.referrer, referral=referral, body=SCRIPT)
    return referral


def assert_escaped(response):
    assert response.status_code < 500, response.status_code
    body = response.content.decode()
    assert "<script>alert" not in body and "<img src=x onerror" not in body


def test_markup_in_every_text_field_is_shown_escaped_on_every_page(network, hostile):
    referrer, claimer = signed_in(network.referrer), signed_in(network.claimer)
    pages = [
        (referrer, "/people/"),
        (referrer, f"/people/{network.seeker.public_id}/"),
        (referrer, f"/people/{network.seeker.public_id}/referrals/outbound/"),
        (referrer, f"/referrals/{hostile.public_id}/"),
        (claimer, f"/referrals/{hostile.public_id}/"),
        (claimer, "/inbound/"),
        (signed_in(network.site_admin), f"/people/{network.seeker.public_id}/access/"),
    ]
    for client, path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_escaped(response)
    assert "&lt;script&gt;" in referrer.get(f"/referrals/{hostile.public_id}/").content.decode()
    htmx = referrer.get(f"/referrals/{hostile.public_id}/", HTTP_HX_REQUEST="true")
    assert_escaped(htmx)


def test_markup_is_escaped_in_emails(network, django_capture_on_commit_callbacks):
    seeker = Seeker.objects_across_tenants.get(pk=network.seeker.pk)
    seeker.first_name = SCRIPT
    seeker.save()
    with django_capture_on_commit_callbacks(execute=True):
        network.refer(seeker=seeker, comment=SCRIPT)
    assert mail.outbox
    for message in mail.outbox:
        for html, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                assert "<script>alert" not in html and "<img src=x onerror" not in html


def test_api_returns_markup_as_data_in_json(network, hostile):
    response = api(network.referrer).get(f"/api/v1/referrals/{hostile.public_id}/")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    assert response.json()["comment"] == SCRIPT


def test_an_oversized_body_is_refused_with_413_and_changes_nothing(network, hostile):
    notes = Note.objects_across_tenants.count()
    big = "x" * 3_000_000
    response = signed_in(network.referrer).post(f"/referrals/{hostile.public_id}/notes/", {"body": big})
    assert response.status_code == 413
    response = api(network.referrer).post(
        f"/api/v1/referrals/{hostile.public_id}/notes/", json.dumps({"body": big}), content_type="application/json"
    )
    assert response.status_code == 413
    assert Note.objects_across_tenants.count() == notes


def test_an_oversized_body_is_a_413_on_a_real_wsgi_server_too(live_server):
    """runserver (live_server is the same WSGI server) refuses hop-by-hop headers from the application: the
    413 must not carry one, or it turns into a 500."""
    request = urllib.request.Request(
        f"{live_server.url}/api/v1/auth/token/",
        data=b"x" * 3_000_000,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 413


def test_a_note_longer_than_allowed_is_a_clear_400(network, hostile):
    notes = Note.objects_across_tenants.count()
    response = signed_in(network.referrer).post(f"/referrals/{hostile.public_id}/notes/", {"body": "x" * 6000})
    assert response.status_code == 400
    assert Note.objects_across_tenants.count() == notes


@pytest.mark.parametrize("body", ["{not json", "[1, 2", '{"body": ', "\x00\x01", "null", "[]", '"a string"'])
def test_malformed_json_to_the_api_is_a_400(network, hostile, body):
    notes = Note.objects_across_tenants.count()
    response = api(network.referrer).post(
        f"/api/v1/referrals/{hostile.public_id}/notes/", body, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert Note.objects_across_tenants.count() == notes
    token = APIClient(raise_request_exception=False).post("/api/v1/auth/token/", body, content_type="application/json")
    assert token.status_code == 400


@pytest.mark.parametrize(
    "bad", ["not-a-uuid", "00000000-0000-0000-0000-00000000000g", "1", "%00", "..%2f..%2fetc", "' OR 1=1 --"]
)
def test_invalid_identifiers_are_404_not_500(network, bad):
    client = signed_in(network.referrer)
    for path in [
        f"/referrals/{bad}/",
        f"/people/{bad}/",
        f"/api/v1/referrals/{bad}/",
        f"/api/v1/seekers/{bad}/",
        f"/r/{bad}/{bad}/",
        f"/goals/{bad}/rename/",
    ]:
        response = client.get(path)
        assert response.status_code in (400, 404, 405), (path, response.status_code)


def test_query_parameters_that_are_not_what_they_should_be_are_not_500(network):
    client = signed_in(network.referrer)
    for path in [
        "/programs/?seeker=not-a-uuid",
        "/programs/?zip=<script>",
        "/programs/?radius=-1e309",
        "/programs/?age=NaN",
        "/people/?q=%00",
        "/people/?page=999999999999",
        "/inbound/?page=-1",
        "/api/v1/programs/?zip=abc&radius=xyz",
        "/api/v1/referrals/?page=abc",
        "/live/?since=garbage",
    ]:
        response = client.get(path)
        assert response.status_code < 500, (path, response.status_code)
        assert_escaped(response)


def test_sql_looking_text_is_stored_and_searched_as_text(network):
    client = signed_in(network.referrer)
    response = client.get("/people/", {"q": SQL})
    assert response.status_code == 200
    assert network.outsider_seeker.last_name not in response.content.decode()
    referral = network.refer()
    client.post(f"/referrals/{referral.public_id}/notes/", {"body": SQL})
    assert Note.objects_across_tenants.filter(referral=referral, body=SQL).exists()
    assert Seeker.objects_across_tenants.count() >= 2  # the table is still there


@pytest.mark.parametrize("name", UNICODE)
def test_unicode_names_and_notes_are_kept_and_shown(network, name):
    client = signed_in(network.referrer)
    response = client.post(
        "/people/new/",
        {"first_name": name, "last_name": name, "preferred_language": "en", "contact_preference": "do_not_contact"},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    seeker = Seeker.objects_across_tenants.get(first_name=name)
    page = client.get(f"/people/{seeker.public_id}/")
    assert page.status_code == 200 and name in page.content.decode()
    referral = network.refer()
    client.post(f"/referrals/{referral.public_id}/notes/", {"body": name})
    assert name in client.get(f"/referrals/{referral.public_id}/").content.decode()


def test_a_nul_character_is_a_clear_400_not_a_database_error(network):
    client = signed_in(network.referrer)
    referral = network.refer()
    notes = Note.objects_across_tenants.count()
    assert client.post(f"/referrals/{referral.public_id}/notes/", {"body": "a\x00b"}).status_code == 400
    assert (
        client.post(
            "/people/new/", {"first_name": "a\x00b", "preferred_language": "en", "contact_preference": "email"}
        ).status_code
        == 400
    )
    response = api(network.referrer).post(
        f"/api/v1/referrals/{referral.public_id}/notes/", {"body": "a\x00b"}, format="json"
    )
    assert response.status_code == 400
    assert Note.objects_across_tenants.count() == notes


def test_posts_without_a_csrf_token_are_refused_and_change_nothing(network, hostile):
    client = signed_in(network.referrer, enforce_csrf_checks=True)
    status_before = Referral.objects_across_tenants.get(pk=hostile.pk).status
    notes = Note.objects_across_tenants.count()
    for path, data in [
        (f"/referrals/{hostile.public_id}/notes/", {"body": "sneaky"}),
        (f"/referrals/{hostile.public_id}/status/", {"to_status": "withdrawn"}),
        (f"/referrals/{hostile.public_id}/consent/withdraw/", {}),
        ("/people/new/", {"first_name": "Sneaky"}),
        (f"/people/{network.seeker.public_id}/erase/", {"confirm": "on"}),
        ("/account/email/", {"new_email": "evil@example.org", "password": "x"}),
    ]:
        assert client.post(path, data).status_code == 403, path
    # The API with a session cookie (and no token) needs the CSRF token too.
    session_api = APIClient(enforce_csrf_checks=True)
    session_api.force_login(network.referrer)
    assert (
        session_api.post(f"/api/v1/referrals/{hostile.public_id}/notes/", {"body": "sneaky"}, format="json").status_code
        == 403
    )
    assert Note.objects_across_tenants.count() == notes
    assert Referral.objects_across_tenants.get(pk=hostile.pk).status == status_before
    assert not Seeker.objects_across_tenants.filter(first_name="Sneaky").exists()
