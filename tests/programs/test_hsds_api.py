"""/hsds/: the HSDS 3.0 API, public and read-only: pages, filters, single documents, refusals."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from programs.hsds.export import TAXONOMY_ID, service_at_location_id, taxonomy_term_id
from programs.models import Program
from programs.services import category_get_or_create
from tests.factories import OrganizationFactory, ProgramFactory


@pytest.fixture
def directory(network):
    """Three programs of two providers, in two categories, with and without a place."""
    food, housing = category_get_or_create(name="Food"), category_get_or_create(name="Housing")
    network.program.categories.set([food])
    network.other_program.categories.set([food])
    network.other_program.service_area_zip_codes = ["60623", "60640"]
    network.other_program.zip_code, network.other_program.latitude, network.other_program.longitude = (
        "60623",
        41.8489,
        -87.7176,
    )  # Little Village, about 15 km from Uptown
    network.other_program.save()
    shelter = ProgramFactory(
        organization=OrganizationFactory(name="Hope Housing"),
        name="Family Shelter",
        categories=[housing],
        description="Same-week shelter for families.",
        address="",
        city="",
        state="",
        zip_code="",
        latitude=None,
        longitude=None,
    )
    return {"food": food, "housing": housing, "shelter": shelter}


def names(response):
    assert response.status_code == 200, response.content
    return [item["name"] if "name" in item else item["service"]["name"] for item in response.json()["contents"]]


def test_the_metadata_names_the_version_and_the_openapi_description(client, db):
    body = client.get("/hsds/").json()
    assert body == {"version": "3.0", "openapi_url": "http://testserver/hsds/openapi.json"}
    openapi = client.get("/hsds/openapi.json").json()
    assert openapi["servers"] == [{"url": "http://testserver/hsds"}]
    assert openapi["info"]["title"] == "Referral network directory (Open Referral HSDS)"
    assert set(openapi["paths"]) >= {
        "/services",
        "/services/{id}",
        "/organizations",
        "/service_at_locations",
        "/taxonomies",
        "/taxonomy_terms",
    }


def test_it_is_public_and_pages_as_hsds_pages(client, network, directory):
    first = client.get("/hsds/services", {"per_page": 2})
    assert names(first) == ["Community Food Pantry", "Family Shelter"]
    page = first.json()
    assert (page["total_items"], page["total_pages"], page["page_number"], page["size"]) == (3, 2, 1, 2)
    assert (page["first_page"], page["last_page"], page["empty"]) == (True, False, False)
    second = client.get("/hsds/services", {"per_page": 2, "page": 2}).json()
    assert [s["name"] for s in second["contents"]] == ["Mobile Food Market"]
    assert (second["first_page"], second["last_page"], second["size"]) == (False, True, 1)
    beyond = client.get("/hsds/services", {"page": 9}).json()
    assert (beyond["empty"], beyond["contents"], beyond["last_page"]) == (True, [], True)
    # A list holds the one-to-one fields; full=true nests everything.
    listed = client.get("/hsds/services").json()["contents"][0]
    assert "service_at_locations" not in listed and listed["organization"]["name"] == "City Food Bank"
    full = client.get("/hsds/services", {"full": "true"}).json()["contents"][0]
    assert full["service_at_locations"][0]["location"]["addresses"][0]["postal_code"] == "60640"


def test_services_filters(client, network, directory):
    assert names(client.get("/hsds/services", {"search": "shelter"})) == ["Family Shelter"]
    food_term = taxonomy_term_id(directory["food"])
    assert names(client.get("/hsds/services", {"taxonomy_term_id": food_term})) == [
        "Community Food Pantry",
        "Mobile Food Market",
    ]
    assert names(client.get("/hsds/services", {"taxonomy_term_id": "00000000-0000-4000-8000-000000000000"})) == []
    assert len(names(client.get("/hsds/services", {"taxonomy_id": TAXONOMY_ID}))) == 3
    assert names(client.get("/hsds/services", {"taxonomy_id": "another-taxonomy"})) == []
    assert names(
        client.get("/hsds/services", {"organization_id": str(directory["shelter"].organization.public_id)})
    ) == ["Family Shelter"]
    Program.objects_across_tenants.filter(pk=network.program.pk).update(updated_at=timezone.now() - timedelta(days=30))
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert names(client.get("/hsds/services", {"modified_after": since})) == ["Family Shelter", "Mobile Food Market"]
    assert len(names(client.get("/hsds/services", {"modified_after": "2000-01-01"}))) == 3
    minimal = client.get("/hsds/services", {"minimal": "true"}).json()
    assert minimal["total_items"] == 3 and set(minimal["contents"][0]) == {"id", "name", "status", "last_modified"}


def test_bad_query_values_are_a_400_that_says_which(client, network, directory):
    for query, word in [
        ({"page": "x"}, "page"),
        ({"per_page": "0"}, "per_page"),
        ({"full": "maybe"}, "full"),
        ({"modified_after": "yesterday"}, "modified_after"),
        ({"format": "xml"}, "format"),
        ({"proximity": "1000"}, "postcode"),
        ({"postcode": "60640", "proximity": "far"}, "proximity"),
        ({"postcode": "00000", "proximity": "1000"}, "zip code"),
    ]:
        response = client.get("/hsds/service_at_locations", query)
        assert response.status_code == 400, query
        assert word in response.json()["detail"], query


def test_format_ndjson_streams_every_result_without_pages(client, network, directory):
    response = client.get("/hsds/services", {"format": "ndjson", "per_page": 1, "full": "true"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/x-ndjson")
    lines = b"".join(response.streaming_content).decode().splitlines()
    services = [json.loads(line) for line in lines]
    assert [s["name"] for s in services] == ["Community Food Pantry", "Family Shelter", "Mobile Food Market"]
    assert "service_at_locations" in services[0]


def test_organizations_are_the_providers_of_the_directory(client, network, directory):
    listed = client.get("/hsds/organizations").json()["contents"]
    # The sites (Northside, Eastlake) provide nothing: they are no part of the directory.
    assert [o["name"] for o in listed] == ["City Food Bank", "Hope Housing"]
    assert client.get(f"/hsds/organizations/{network.site.public_id}").status_code == 404
    provider = client.get(f"/hsds/organizations/{network.provider.public_id}").json()
    assert [(s["name"], "phones" in s) for s in provider["services"]] == [
        ("Community Food Pantry", False),
        ("Mobile Food Market", False),
    ]
    full = client.get(f"/hsds/organizations/{network.provider.public_id}", {"full_service": "true"}).json()
    assert "service_at_locations" in full["services"][0]
    assert [o["name"] for o in client.get("/hsds/organizations", {"search": "hope"}).json()["contents"]] == [
        "Hope Housing"
    ]


def test_service_at_locations_are_programs_at_their_place(client, network, directory):
    listed = client.get("/hsds/service_at_locations").json()["contents"]
    assert [place["service"]["name"] for place in listed] == ["Community Food Pantry", "Mobile Food Market"]
    place = listed[0]
    assert place["id"] == service_at_location_id(str(network.program.public_id))
    assert place["service_id"] == str(network.program.public_id)
    one = client.get(f"/hsds/service_at_locations/{place['id']}").json()
    assert one["location"]["addresses"][0]["postal_code"] == "60640"
    assert one["service"]["attributes"][0]["taxonomy_term"]["name"] == "Food"
    # A program without a place has no service_at_location.
    shelter_place = service_at_location_id(str(directory["shelter"].public_id))
    assert client.get(f"/hsds/service_at_locations/{shelter_place}").status_code == 404
    # Where a postcode is served (listed in the service area, or the program's own zip code) ...
    assert names(client.get("/hsds/service_at_locations", {"postcode": "60623"})) == ["Mobile Food Market"]
    assert names(client.get("/hsds/service_at_locations", {"postcode": "60640"})) == [
        "Community Food Pantry",
        "Mobile Food Market",
    ]
    # ... and how near, nearest first.
    near = client.get("/hsds/service_at_locations", {"postcode": "60640", "proximity": "2000"})
    assert names(near) == ["Community Food Pantry"]


def test_taxonomies_and_terms(client, network, directory):
    taxonomies = client.get("/hsds/taxonomies").json()["contents"]
    assert [t["id"] for t in taxonomies] == [TAXONOMY_ID]
    assert client.get(f"/hsds/taxonomies/{TAXONOMY_ID}").json()["name"] == "Referral network categories"
    assert client.get("/hsds/taxonomies/00000000-0000-4000-8000-000000000000").status_code == 404
    terms = client.get("/hsds/taxonomy_terms").json()["contents"]
    assert [(t["name"], t["taxonomy_id"]) for t in terms] == [("Food", TAXONOMY_ID), ("Housing", TAXONOMY_ID)]
    food = client.get(f"/hsds/taxonomy_terms/{terms[0]['id']}").json()
    assert food["code"] == "food"
    assert [t["name"] for t in client.get("/hsds/taxonomy_terms", {"search": "hous"}).json()["contents"]] == ["Housing"]
    assert client.get("/hsds/taxonomy_terms", {"parent_id": terms[0]["id"]}).json()["contents"] == []


def test_unknown_ids_are_a_404(client, db):
    for url in (
        "/hsds/services/no-such",
        "/hsds/organizations/no-such",
        "/hsds/service_at_locations/no-such",
        "/hsds/taxonomy_terms/no-such",
        "/hsds/services/00000000-0000-4000-8000-000000000000",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["detail"].startswith("No such")


def test_it_is_read_only(client, network, directory):
    for url in ("/hsds/services", f"/hsds/services/{network.program.public_id}", "/hsds/organizations"):
        assert client.post(url, {}).status_code == 405
        assert client.delete(url).status_code == 405


def test_the_old_export_address_redirects_to_the_hsds_api(client, network):
    response = client.get("/api/v1/hsds/services/", {"page": 2, "per_page": 1})
    assert response.status_code == 301
    assert response["Location"] == "/hsds/services?page=2&per_page=1"
    one = client.get(f"/api/v1/hsds/services/{network.program.public_id}/")
    assert (one.status_code, one["Location"]) == (301, f"/hsds/services/{network.program.public_id}")
    assert client.get(one["Location"]).json()["name"] == "Community Food Pantry"


@pytest.mark.parametrize(
    "url, query",
    [
        ("/hsds/services", {"full": "true"}),
        ("/hsds/services", {}),
        ("/hsds/organizations", {"full": "true", "full_service": "true"}),
        ("/hsds/service_at_locations", {"full": "true"}),
        ("/hsds/taxonomy_terms", {}),
    ],
)
def test_the_number_of_queries_does_not_grow_with_the_page(
    client, network, directory, url, query, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20) as few:
        assert client.get(url, {"per_page": 100, **query}).status_code == 200
    for number in range(8):
        ProgramFactory(
            organization=OrganizationFactory(name=f"Provider {number}"),
            name=f"Program {number}",
            categories=[category_get_or_create(name=f"Category {number}")],
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url, {"per_page": 100, **query})
    assert response.json()["size"] >= 8
