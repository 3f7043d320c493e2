"""The web form, the API and the services keep zip codes and phones the same way (seekers.validation)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from referrals.errors import InvalidInput
from seekers.models import Seeker
from seekers.services import seeker_create, seeker_update
from tests.factories import api_token


def _api(user):
    client = APIClient()
    token = api_token(user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def _reload(public_id):
    return Seeker.objects_across_tenants.get(public_id=public_id)


def test_a_seeker_made_through_the_api_with_zip_plus_4_works_on_the_web(client, network):
    response = _api(network.referrer).post(
        "/api/v1/seekers/",
        {
            "first_name": "Ana",
            "last_name": "Ruiz",
            "zip_code": "60640-1234",
            "phone": "+1 (312) 555-0142",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["zip_code"], response.json()["phone"]) == ("60640", "+13125550142")
    seeker = _reload(response.json()["id"])
    client.force_login(network.referrer)
    assert client.get(reverse("programs:search"), {"seeker": seeker.public_id}).status_code == 200
    edit = client.post(
        reverse("seekers:edit", args=[seeker.public_id]),
        {
            "first_name": "Ana",
            "last_name": "Ruiz",
            "date_of_birth": "",
            "zip_code": seeker.zip_code,
            "email": "",
            "phone": seeker.phone,
            "preferred_language": "en",
            "contact_preference": "phone",
        },
    )
    assert edit.status_code == 302


@pytest.mark.parametrize(
    "phone,message",
    [
        ("555-0142", "ten-digit phone number"),
        ("+44 20 7946 0958 12", "too many digits"),
        ("111-111-1111", "not a phone number anyone can have"),
        ("000 000 0000", "not a phone number anyone can have"),
        ("312-CALL-NOW", "only digits"),
    ],
)
def test_the_api_refuses_the_phones_the_web_form_refuses(network, phone, message):
    response = _api(network.referrer).post("/api/v1/seekers/", {"first_name": "Ana", "phone": phone}, format="json")
    assert response.status_code == 400
    assert message in response.json()["phone"][0]
    assert not Seeker.objects_across_tenants.filter(first_name="Ana").exists()


def test_the_web_form_accepts_zip_plus_4_and_keeps_five_digits(client, network):
    client.force_login(network.referrer)
    client.post(
        reverse("seekers:edit", args=[network.seeker.public_id]),
        {
            "first_name": "Luis",
            "last_name": "Hernandez",
            "date_of_birth": "",
            "zip_code": "60623-4411",
            "email": "",
            "phone": "",
            "preferred_language": "en",
            "contact_preference": "do_not_contact",
        },
    )
    assert _reload(network.seeker.public_id).zip_code == "60623"


def test_the_services_normalize_and_refuse_too(network):
    seeker = seeker_create(actor=network.referrer, first_name="Ana", zip_code="60640-1234", phone="(312) 555 0142")
    assert (seeker.zip_code, seeker.phone) == ("60640", "+13125550142")
    with pytest.raises(InvalidInput):
        seeker_update(actor=network.referrer, seeker=seeker, zip_code="6064")
    with pytest.raises(InvalidInput):
        seeker_update(actor=network.referrer, seeker=seeker, phone="12345")


PERSON = {
    "first_name": "Luis",
    "last_name": "Hernandez",
    "date_of_birth": "",
    "zip_code": "60640",
    "email": "luis@example.com",
    "phone": "3125550142",
    "preferred_language": "en",
    "contact_preference": "email",
}
MISSING = [
    ("email", "email", "To contact them by email, add their email address"),
    ("phone", "phone", "To contact them by phone, add their phone number"),
    ("text", "phone", "To contact them by text message, add their phone number"),
]


@pytest.mark.parametrize("preference,field,message", MISSING)
def test_the_web_form_refuses_a_way_to_contact_without_its_detail(client, network, preference, field, message):
    client.force_login(network.referrer)
    data = {**PERSON, "contact_preference": preference, field: "", "last_name": "Changed"}
    response = client.post(reverse("seekers:edit", args=[network.seeker.public_id]), data)
    assert response.status_code == 400
    assert [error for error in response.context["form"].errors[field] if message in error]
    assert _reload(network.seeker.public_id).last_name == "Hernandez"
    added = client.post(reverse("seekers:create"), {**data, "first_name": "Nadia"})
    assert added.status_code == 400 and message in added.content.decode()
    assert not Seeker.objects_across_tenants.filter(first_name="Nadia").exists()


def test_the_web_form_accepts_do_not_contact_without_details(client, network):
    client.force_login(network.referrer)
    response = client.post(
        reverse("seekers:create"),
        {**PERSON, "first_name": "Nadia", "email": "", "phone": "", "contact_preference": "do_not_contact"},
    )
    assert response.status_code == 302


@pytest.mark.parametrize("preference,field,message", MISSING)
def test_the_api_refuses_the_same(network, preference, field, message):
    body = {**PERSON, "contact_preference": preference, field: ""}
    del body["date_of_birth"]
    created = _api(network.referrer).post("/api/v1/seekers/", {**body, "first_name": "Nadia"}, format="json")
    assert created.status_code == 400
    assert message in created.json()[field][0]
    assert not Seeker.objects_across_tenants.filter(first_name="Nadia").exists()
    changed = _api(network.referrer).patch(
        f"/api/v1/seekers/{network.seeker.public_id}/", {"contact_preference": preference, field: ""}, format="json"
    )
    assert changed.status_code == 400
    assert message in changed.json()[field][0]


def test_the_api_refuses_removing_the_detail_the_chosen_way_needs(network):
    Seeker.objects_across_tenants.filter(pk=network.seeker.pk).update(
        contact_preference="email", email="luis@example.com"
    )
    response = _api(network.referrer).patch(
        f"/api/v1/seekers/{network.seeker.public_id}/", {"email": ""}, format="json"
    )
    assert response.status_code == 400
    assert "To contact them by email" in response.json()["email"][0]
    assert _reload(network.seeker.public_id).email == "luis@example.com"


@pytest.mark.parametrize(
    "details,expected",
    [
        ({"email": "ana@example.com", "phone": "3125550142"}, "email"),
        ({"phone": "3125550142"}, "phone"),
        ({}, "do_not_contact"),
    ],
)
def test_without_a_way_to_contact_a_new_seeker_gets_the_one_their_details_allow(network, details, expected):
    response = _api(network.referrer).post("/api/v1/seekers/", {"first_name": "Ana", **details}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["contact_preference"] == expected
    assert seeker_create(actor=network.referrer, first_name="Eva", **details).contact_preference == expected


def test_the_services_refuse_a_way_to_contact_without_its_detail(network):
    with pytest.raises(InvalidInput) as refused:
        seeker_create(actor=network.referrer, first_name="Ana", contact_preference="text", email="ana@example.com")
    assert refused.value.context["field"] == "phone"
    seeker = seeker_create(actor=network.referrer, first_name="Ana", phone="3125550142", contact_preference="text")
    with pytest.raises(InvalidInput):
        seeker_update(actor=network.referrer, seeker=seeker, phone="")
