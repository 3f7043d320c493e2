"""Our own 403, 404 and 500 pages with DEBUG off; on seeker pages (/r/, /my/) in the seeker's language and
without the staff navigation."""

import pytest
from django.test import Client

from tests import factories


@pytest.fixture
def debug_off(settings):
    settings.DEBUG = False


def test_a_missing_page_is_ours_with_the_navigation_for_staff(network, client, debug_off):
    client.force_login(network.referrer)
    response = client.get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in page and 'aria-label="Main"' in page
    assert "Go to your start page" in page


def test_a_missing_seeker_page_speaks_the_browsers_language_without_staff_navigation(db, debug_off):
    response = Client(HTTP_ACCEPT_LANGUAGE="es").get("/r/not-a-referral/x/")
    page = response.content.decode()
    assert response.status_code == 404 and response["Content-Language"] == "es"
    assert '<html lang="es">' in page and "Página no encontrada" in page
    assert "Go to your start page" not in page and "Ir a su página de inicio" not in page


def test_a_signed_in_seekers_missing_page_is_in_their_own_language(network, debug_off):
    seeker_user = factories.UserFactory(email="ines@example.org")
    network.seeker.user = seeker_user
    network.seeker.preferred_language = "es"
    network.seeker.save()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(seeker_user)
    response = client.post("/my/referrals/00000000-0000-0000-0000-000000000000/status/", {"to_status": "got_help"})
    assert response.status_code == 404 and response["Content-Language"] == "es"
    assert "Página no encontrada" in response.content.decode()


def test_a_refusal_is_our_page_and_says_why(network, client, debug_off):
    client.force_login(network.referrer)  # a worker, not an admin, of the organization
    response = client.get(f"/organization/{network.site.public_id}/members/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Not allowed</h1>" in page
    assert "Only the organization&#x27;s admins manage its members, teams and sharing." in page


def test_a_server_error_is_our_page_with_a_reference(db, settings, debug_off):
    settings.ROOT_URLCONF = "tests.smoke.error_urls"
    client = Client(raise_request_exception=False)
    response = client.get("/fail/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in page and response["X-Request-ID"] in page

    spanish = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="es").get("/my/fail/")
    assert spanish.status_code == 500 and spanish["Content-Language"] == "es"
    assert "Algo salió mal" in spanish.content.decode()
