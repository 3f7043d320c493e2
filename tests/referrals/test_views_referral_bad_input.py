"""Whatever a person sends, the answer is a message, never a server error, and nothing changes."""

import pytest
from django.urls import reverse

from referrals.models import Referral


@pytest.fixture
def referral(network):
    return network.refer()


@pytest.mark.parametrize(
    "data",
    [
        {"to_status": "accepted", "version": "abc"},
        {"to_status": "accepted", "version": "99999999999999999999"},
        {"to_status": "accepted"},
        {"to_status": "nonsense", "version": "1"},
        {"to_status": "declined", "reason": "nonsense", "version": "1"},
        {"to_status": "declined", "reason": "no_longer_interested", "version": "1"},
        {"to_status": "accepted", "note": "bad\x00byte", "version": "1"},
        {"to_status": "accepted", "note": "x" * 6000, "version": "1"},
        {"to_status": "accepted", "version": "1", "reason": "no_capacity"},  # a leftover reason is ignored
    ],
)
def test_status_posts_never_fail_with_a_server_error(client, network, referral, data):
    client.force_login(network.claimer)
    response = client.post(reverse("referrals:status", args=[referral.public_id]), data)
    assert response.status_code in (302, 400, 409)
    after = Referral.objects_across_tenants.get(pk=referral.pk)
    if response.status_code != 302:
        assert after.status == "sent"


@pytest.mark.parametrize("body", ["bad\x00byte", "x" * 100_000])
def test_note_posts_never_fail_with_a_server_error(client, network, referral, body):
    client.force_login(network.referrer)
    response = client.post(reverse("referrals:add_note", args=[referral.public_id]), {"body": body})
    assert response.status_code == 400
    assert referral.notes.count() == 0


@pytest.mark.parametrize(
    "params", [{"q": "a\x00b"}, {"radius": "far"}, {"page": "abc"}, {"category": "nope"}, {"zip": "6" * 200}]
)
def test_program_search_answers_bad_parameters_with_a_page(client, network, params):
    client.force_login(network.referrer)
    assert client.get(reverse("programs:search"), params).status_code in (200, 400)


# A NUL in the query is refused before any view (tests/security/test_unstorable_text.py).
@pytest.mark.parametrize("params", [{"q": "x" * 500}, {"page": "-1"}, {"page": "²"}])
def test_people_search_answers_bad_parameters_with_a_page(client, network, params):
    client.force_login(network.referrer)
    assert client.get(reverse("seekers:people"), params).status_code == 200
