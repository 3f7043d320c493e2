"""A NUL character (which PostgreSQL cannot store) is refused before any view reads it: never a 500, and
nothing is written (referrals_site.middleware, core.parsers)."""

import pytest
from django.test import Client

from referrals.models import ReferralEvent
from tests.referrals.test_email_links import post_choice, seeker_link


def test_a_nul_in_an_email_link_choice_is_refused_and_nothing_is_written(network):
    referral = network.refer()
    events = ReferralEvent.objects_across_tenants.filter(referral=referral).count()
    client = Client(raise_request_exception=False)
    response = post_choice(client, seeker_link(referral, answer="got_help"), "got_help\x00")
    assert response.status_code == 400
    assert "NUL" in response.content.decode()
    assert ReferralEvent.objects_across_tenants.filter(referral=referral).count() == events
    referral.refresh_from_db()
    assert referral.status == "sent"


@pytest.mark.parametrize(
    "path, answer",
    [
        ("/people/?q=a%00b", "text/plain"),
        ("/programs/?q=%00", "text/plain"),
        ("/api/v1/programs/?q=%00", "application/json"),
        ("/api/v1/referrals/?status=%00", "application/json"),
        ("/hsds/services/%00", "application/json"),
        ("/hsds/services?taxonomy_term_id=%00", "application/json"),
        ("/fhir/Task?status=%00", "application/fhir+json"),
        ("/fhir/Task/%00", "application/fhir+json"),
    ],
)
def test_a_nul_in_a_path_or_query_is_a_clear_400(network, path, answer):
    client = Client(raise_request_exception=False)
    client.force_login(network.referrer)
    response = client.get(path)
    assert response.status_code == 400
    assert response["Content-Type"].startswith(answer)
    assert "NUL" in response.content.decode()


def test_a_nul_in_a_header_is_a_clear_400(network):
    client = Client(raise_request_exception=False, HTTP_USER_AGENT="Mozilla\x00")
    client.force_login(network.referrer)
    assert client.get("/people/").status_code == 400
