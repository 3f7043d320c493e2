import pytest

from accounts.services import membership_set
from seekers.models import Seeker
from tests import factories

URL = "/api/v1/seekers/"


def test_it_lists_only_the_seekers_the_user_helps(network, api):
    names = lambda user: {s["last_name"] for s in api(user).get(URL).json()["results"]}  # noqa: E731
    assert "Hernandez" in names(network.teammate)
    assert "Hernandez" not in names(network.private_worker)
    assert "Hernandez" not in names(network.outsider)
    assert names(network.claimer) == set()


def test_a_new_seeker_belongs_to_the_helpers_organization_whatever_the_body_says(network, api):
    response = api(network.referrer).post(
        URL,
        {
            "first_name": "Rosa",
            "last_name": "Vega",
            "organization": str(network.other_site.public_id),
        },
        format="json",
    )
    assert response.status_code == 400
    assert "organization" in response.json()
    response = api(network.referrer).post(URL, {"first_name": "Rosa", "last_name": "Vega"}, format="json")
    assert response.status_code == 201
    seeker = Seeker.objects.for_organization(network.site).get(public_id=response.json()["id"])
    assert seeker.created_by == network.referrer
    assert seeker.team == network.sharing_team
    assert response.json()["organization"] == str(network.site.public_id)


def test_someone_at_several_sites_says_which_of_their_own(network, api):
    membership_set(user=network.referrer, organization=network.other_site)
    client = api(network.referrer)
    response = client.post(URL, {"first_name": "Rosa"}, format="json")
    assert response.status_code == 400
    assert "organization" in response.json()
    response = client.post(
        URL, {"first_name": "Rosa", "organization": str(network.other_site.public_id)}, format="json"
    )
    assert response.status_code == 201
    assert Seeker.objects.for_organization(network.other_site).filter(first_name="Rosa").exists()


@pytest.mark.parametrize(
    "field, value",
    [
        ("zip_code", "6064"),
        ("zip_code", "ABCDE"),
        ("email", "not-an-email"),
        ("phone", "call me"),
        ("phone", "12"),
        ("date_of_birth", "2999-01-01"),
        ("date_of_birth", "1850-01-01"),
        ("date_of_birth", "yesterday"),
        ("preferred_language", "xx"),
        ("contact_preference", "pigeon"),
        ("first_name", ""),
        ("first_name", "x" * 151),
        ("first_name", "nul\x00"),
    ],
)
def test_invalid_fields_are_named_and_change_nothing(network, api, field, value):
    response = api(network.referrer).patch(f"{URL}{network.seeker.public_id}/", {field: value}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    network.seeker.refresh_from_db()
    assert network.seeker.first_name == "Luis"


def test_a_helper_updates_a_profile(network, api):
    response = api(network.teammate).patch(
        f"{URL}{network.seeker.public_id}/",
        {
            "zip_code": "60601",
            "phone": "(312) 555-0100",
            "date_of_birth": "1990-05-01",
            "preferred_language": "es",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    network.seeker.refresh_from_db()
    assert (network.seeker.zip_code, network.seeker.preferred_language) == ("60601", "es")


def test_the_organization_cannot_be_changed(network, api):
    response = api(network.referrer).patch(
        f"{URL}{network.seeker.public_id}/", {"organization": str(network.other_site.public_id)}, format="json"
    )
    assert response.status_code == 400


def test_put_is_not_offered(network, api):
    response = api(network.referrer).put(f"{URL}{network.seeker.public_id}/", {"first_name": "X"}, format="json")
    assert response.status_code == 405


def test_goals_of_a_seeker(network, api):
    client = api(network.referrer)
    url = f"{URL}{network.seeker.public_id}/goals/"
    assert client.post(url, {"title": "  Find stable housing "}, format="json").status_code == 201
    assert [goal["title"] for goal in client.get(url).json()["results"]] == ["Find stable housing"]
    assert client.post(url, {"title": ""}, format="json").status_code == 400
    other = factories.GoalFactory(seeker=network.outsider_seeker)
    assert other.title not in str(client.get(url).content)


def test_a_likely_duplicate_is_409_with_the_candidates_unless_confirmed(network, api):
    """Issue 19 item 3."""
    from datetime import date

    grace = factories.SeekerFactory(
        organization=network.site,
        created_by=network.referrer,
        team=network.sharing_team,
        first_name="Grace",
        last_name="Okonkwo",
        email="grace@example.com",
        zip_code="60640",
        date_of_birth=date(1980, 5, 1),
    )
    client = api(network.referrer)
    body = {"first_name": "Grace", "last_name": "Okonkwo", "email": "grace@example.com"}
    response = client.post("/api/v1/seekers/", body, format="json")
    assert response.status_code == 409
    answer = response.json()
    assert answer["code"] == "likely_duplicate"
    assert answer["candidates"] == [
        {
            "id": str(grace.public_id),
            "first_name": "Grace",
            "last_name": "Okonkwo",
            "date_of_birth": "1980-05-01",
            "zip_code": "60640",
            "why": "same email, similar name",
        }
    ]
    assert Seeker.objects.for_organization(network.site).filter(last_name="Okonkwo").count() == 1
    created = client.post("/api/v1/seekers/", {**body, "confirm_new": True}, format="json")
    assert created.status_code == 201 and "confirm_new" not in created.json()
    assert Seeker.objects.for_organization(network.site).filter(last_name="Okonkwo").count() == 2
