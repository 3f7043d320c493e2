"""The web form, the API and the services keep zip codes and phones the same way (seekers.validation)."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from referrals.errors import InvalidInput
from seekers.models import Seeker
from seekers.services import seeker_create, seeker_update


def _api(user):
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def _reload(public_id):
    return Seeker.objects_across_tenants.get(public_id=public_id)


def test_a_seeker_made_through_the_api_with_zip_plus_4_works_on_the_web(client, network):
    response = _api(network.referrer).post("/api/v1/seekers/", {
        "first_name": "Ana", "last_name": "Ruiz", "zip_code": "60640-1234", "phone": "+1 (312) 555-0142",
    }, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["zip_code"], response.json()["phone"]) == ("60640", "3125550142")
    seeker = _reload(response.json()["id"])
    client.force_login(network.referrer)
    assert client.get(reverse("programs:search"), {"seeker": seeker.public_id}).status_code == 200
    edit = client.post(reverse("seekers:edit", args=[seeker.public_id]), {
        "first_name": "Ana", "last_name": "Ruiz", "date_of_birth": "", "zip_code": seeker.zip_code, "email": "",
        "phone": seeker.phone, "preferred_language": "en", "contact_preference": "email"})
    assert edit.status_code == 302


@pytest.mark.parametrize("phone", ["555-0142", "+44 20 7946 0958 12"])
def test_the_api_refuses_the_phones_the_web_form_refuses(network, phone):
    response = _api(network.referrer).post("/api/v1/seekers/", {"first_name": "Ana", "phone": phone},
                                           format="json")
    assert response.status_code == 400
    assert "ten-digit phone number" in response.json()["phone"][0]


def test_the_web_form_accepts_zip_plus_4_and_keeps_five_digits(client, network):
    client.force_login(network.referrer)
    client.post(reverse("seekers:edit", args=[network.seeker.public_id]), {
        "first_name": "Luis", "last_name": "Hernandez", "date_of_birth": "", "zip_code": "60623-4411", "email": "",
        "phone": "", "preferred_language": "en", "contact_preference": "email"})
    assert _reload(network.seeker.public_id).zip_code == "60623"


def test_the_services_normalize_and_refuse_too(network):
    seeker = seeker_create(actor=network.referrer, first_name="Ana", zip_code="60640-1234", phone="(312) 555 0142")
    assert (seeker.zip_code, seeker.phone) == ("60640", "3125550142")
    with pytest.raises(InvalidInput):
        seeker_update(actor=network.referrer, seeker=seeker, zip_code="6064")
    with pytest.raises(InvalidInput):
        seeker_update(actor=network.referrer, seeker=seeker, phone="12345")
