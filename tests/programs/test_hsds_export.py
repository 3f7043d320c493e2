"""GET /api/v1/hsds/services/: the directory as HSDS 3.0 JSON."""

import json
from pathlib import Path

from programs.hsds.services import hsds_import
from programs.services import category_get_or_create
from tests.factories import ProgramFactory

FIXTURES = Path(__file__).parent / "hsds_fixtures"
URL = "/api/v1/hsds/services/"


def test_it_requires_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 401


def test_it_pages_the_directory_as_hsds_services(client, network):
    client.force_login(network.outsider)  # the directory is shared: any signed-in user sees it all
    network.program.categories.set([category_get_or_create(name="Food")])
    network.program.schedule = "Mon–Fri 9:00–17:00"
    network.program.languages = ["en", "es"]
    network.program.save()

    response = client.get(URL, {"per_page": 1})
    assert response.status_code == 200
    page = response.json()
    assert (page["total_items"], page["total_pages"], page["page_number"], page["size"]) == (2, 2, 1, 1)
    assert (page["first_page"], page["last_page"], page["empty"]) == (True, False, False)
    service = page["contents"][0]
    assert service["id"] == str(network.program.public_id)
    assert service["name"] == "Community Food Pantry"
    assert service["organization"] == {"id": str(network.provider.public_id), "name": "City Food Bank"}
    assert service["status"] == "active"
    assert service["schedules"][0]["description"] == "Mon–Fri 9:00–17:00"
    assert [language["code"] for language in service["languages"]] == ["en", "es"]
    assert service["attributes"][0]["taxonomy_term"]["name"] == "Food"
    location = service["service_at_locations"][0]["location"]
    assert (location["latitude"], location["longitude"]) == (41.9719, -87.6624)
    assert location["addresses"][0]["postal_code"] == "60640"

    second = client.get(URL, {"per_page": 1, "page": 2}).json()
    assert second["contents"][0]["name"] == "Mobile Food Market"
    assert second["last_page"] is True
    beyond = client.get(URL, {"page": 9}).json()
    assert (beyond["empty"], beyond["contents"]) == (True, [])


def test_bad_paging_is_a_400(client, network):
    client.force_login(network.referrer)
    assert client.get(URL, {"page": "x"}).status_code == 400
    assert client.get(URL, {"per_page": "0"}).status_code == 400


def test_one_service_by_its_hsds_id_or_public_id(client, network):
    client.force_login(network.referrer)
    assert client.get(f"{URL}{network.program.public_id}/").json()["name"] == "Community Food Pantry"
    assert client.get(f"{URL}no-such-service/").status_code == 404


def test_query_count_does_not_grow_with_the_page(client, network, django_assert_max_num_queries):
    client.force_login(network.referrer)
    client.get(URL)  # the first request of a session may do one-off work (session, sign-in records)
    with django_assert_max_num_queries(100) as few:
        assert client.get(URL, {"per_page": 100}).json()["size"] == 2
    for number in range(10):
        ProgramFactory(organization=network.provider, name=f"Program {number}",
                       categories=[category_get_or_create(name=f"Category {number}")])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL, {"per_page": 100})
    assert response.json()["size"] == 12


def test_an_export_imports_back_unchanged(client, network, tmp_path):
    report = hsds_import(path=FIXTURES / "v3_tabular")
    assert len(report.created) == 3
    client.force_login(network.referrer)
    exported = client.get(URL, {"per_page": 100}).json()
    imported_ids = set(report.created)
    services = [service for service in exported["contents"] if service["id"] in imported_ids]
    assert len(services) == 3
    export_file = tmp_path / "services.json"
    export_file.write_text(json.dumps(services))

    again = hsds_import(path=export_file)
    assert (again.created, again.updated, again.rejected) == ([], [], [])
    assert sorted(again.unchanged) == sorted(imported_ids)
