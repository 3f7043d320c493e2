"""Before a second profile of the same person is made (issue 19 item 3): likely matches in the organization,
accent- and case-insensitive; the helper opens the existing profile or confirms someone else; the API answers
409 with the candidates unless ``confirm_new: true``."""

from datetime import date

import pytest
from django.urls import reverse

from seekers.models import Seeker
from seekers.selectors import plain_name, seeker_likely_matches
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def grace(network):
    return factories.SeekerFactory(
        organization=network.site,
        created_by=network.referrer,
        team=network.sharing_team,
        first_name="Grace",
        last_name="Okonkwo",
        email="grace@example.com",
        phone="3125550199",
        zip_code="60640",
        date_of_birth=date(1980, 5, 1),
    )


@pytest.fixture
def jose(network):
    return factories.SeekerFactory(
        organization=network.site,
        created_by=network.referrer,
        team=network.sharing_team,
        first_name="José",
        last_name="García",
        email="",
        phone="",
        zip_code="60625",
        date_of_birth=date(1975, 2, 3),
    )


def matches(network, **fields):
    found, hidden = seeker_likely_matches(user=network.referrer, organization=network.site, **fields)
    return [seeker.full_name for seeker in found], hidden


def test_plain_names_drop_accents_and_case():
    assert plain_name("José", "GARCÍA  ") == "jose garcia"


@pytest.mark.parametrize(
    "fields",
    [
        {"first_name": "Someone", "last_name": "Else", "email": "GRACE@example.com"},
        {"first_name": "Someone", "last_name": "Else", "phone": "3125550199"},
        {"first_name": "grace", "last_name": "okonkwo", "zip_code": "60640"},
        {"first_name": "Grace", "last_name": "Okonkow", "date_of_birth": date(1980, 5, 1)},  # a typo
    ],
)
def test_the_same_email_phone_or_a_close_name_with_the_same_birth_date_or_zip(network, grace, fields):
    assert matches(network, **fields) == (["Grace Okonkwo"], 0)


@pytest.mark.parametrize(
    "fields",
    [
        {"first_name": "Grace", "last_name": "Okonkwo"},  # the name alone is not enough
        {"first_name": "Grace", "last_name": "Okonkwo", "zip_code": "60601"},
        {"first_name": "Maria", "last_name": "Lopez", "zip_code": "60640"},  # same zip, another name
        {"first_name": "Nadia", "last_name": "Okonkwo", "zip_code": "60640"},  # a relative at the same address
    ],
)
def test_not_enough_alike_is_no_match(network, grace, fields):
    assert matches(network, **fields) == ([], 0)


def test_jose_finds_jose_with_its_accent(network, jose):
    assert matches(network, first_name="Jose", last_name="Garcia", zip_code="60625") == (["José García"], 0)


def test_other_organizations_people_never_match(network, grace):
    found, hidden = seeker_likely_matches(
        user=network.outsider,
        organization=network.other_site,
        first_name="Grace",
        last_name="Okonkwo",
        email="grace@example.com",
    )
    assert (found, hidden) == ([], 0)


def test_a_match_the_helper_may_not_open_is_counted_not_shown(network, grace):
    found, hidden = seeker_likely_matches(
        user=network.private_worker,
        organization=network.site,
        first_name="Grace",
        last_name="Okonkwo",
        email="grace@example.com",
    )
    assert (found, hidden) == ([], 1)


def test_the_form_shows_the_matches_keeps_the_input_and_adds_on_confirmation(client, network, grace):
    client.force_login(network.referrer)
    data = {
        "first_name": "Grace",
        "last_name": "Okonkwo",
        "email": "grace@example.com",
        "zip_code": "60640",
        "preferred_language": "en",
        "contact_preference": "email",
    }
    response = client.post(reverse("seekers:create"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Is this someone your organization already helps?" in html
    assert f'href="{reverse("seekers:profile", args=[grace.public_id])}">Open Grace Okonkwo' in html
    assert "same email" in html and 'value="grace@example.com"' in html
    assert 'name="confirm_new" value="1"' in html and "This is someone else: add the person" in html
    assert Seeker.objects.for_organization(network.site).filter(last_name="Okonkwo").count() == 1
    confirmed = client.post(reverse("seekers:create"), {**data, "confirm_new": "1"})
    assert confirmed.status_code == 302
    assert Seeker.objects.for_organization(network.site).filter(last_name="Okonkwo").count() == 2
