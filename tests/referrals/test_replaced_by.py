"""A referral withdrawn as "referred elsewhere" can name the new referral, on the web and in the API."""

from django.urls import reverse
from rest_framework.test import APIClient

from referrals.models import Referral
from tests.factories import api_token


def _reload(referral):
    return Referral.objects_across_tenants.get(pk=referral.pk)


def _api(user):
    client = APIClient()
    token = api_token(user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_the_status_form_offers_and_records_the_new_referral(client, network):
    old = network.refer()
    new = network.refer(program=network.other_program)
    client.force_login(network.referrer)
    html = client.get(reverse("referrals:detail", args=[old.public_id])).content.decode()
    assert "New referral (optional)" in html and "Mobile Food Market" in html
    response = client.post(
        reverse("referrals:status", args=[old.public_id]),
        {
            "to_status": "withdrawn",
            "reason": "referred_elsewhere",
            "note": "",
            "version": old.version,
            "replaced_by": str(new.public_id),
        },
    )
    assert response.status_code == 302
    assert _reload(old).replaced_by_id == new.pk


def test_the_api_records_the_new_referral(network):
    old = network.refer()
    new = network.refer(program=network.other_program)
    response = _api(network.referrer).post(
        f"/api/v1/referrals/{old.public_id}/status/",
        {
            "status": "withdrawn",
            "reason": "referred_elsewhere",
            "version": old.version,
            "replaced_by": str(new.public_id),
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["replaced_by"] == str(new.public_id)


def test_the_api_refuses_another_seekers_or_an_unseen_referral(network):
    old = network.refer()
    stranger = network.refer(referrer=network.outsider, seeker=network.outsider_seeker)
    response = _api(network.referrer).post(
        f"/api/v1/referrals/{old.public_id}/status/",
        {
            "status": "withdrawn",
            "reason": "referred_elsewhere",
            "version": old.version,
            "replaced_by": str(stranger.public_id),
        },
        format="json",
    )
    assert response.status_code == 400
    assert "replaced_by" in response.json()
    assert _reload(old).status == "sent"
