"""The directory as HSDS 3.0: every document the /hsds/ API and `export_hsds` give validates against the
official Open Referral schemas (tests/programs/hsds_standard.py), and an export imported into an empty
directory exports the same documents again."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from accounts.models import Organization
from programs.hsds.export import service_at_location_id, service_id, taxonomy_term_id
from programs.hsds.services import hsds_import
from programs.models import Category, Program
from programs.services import category_get_or_create
from tests.factories import OrganizationFactory, ProgramFactory
from tests.programs import hsds_standard

FIXTURES = Path(__file__).parent / "hsds_fixtures"
# Every HSDS example the importer reads: Open Referral's own samples (HSDS 1.1 tabular, HSDS 3.0 JSON) and our
# HSDS 3.0 tabular package.
EXAMPLES = ["openreferral-v1.1-sample", "openreferral-v3.0-json", "v3_tabular"]


def documents(client) -> list[tuple[str, str, dict]]:
    """(where, schema, document) for every document the HSDS API answers about the directory."""
    found = []

    def page(url, schema, **query):
        body = client.get(url, {"per_page": 100, **query}).json()
        assert body["total_items"] <= 100, "the directory outgrew one page of this test"
        found.extend((url, schema, item) for item in body["contents"])
        return body["contents"]

    services = page("/hsds/services", "compiled/service_list.json")
    page("/hsds/services", "compiled/service.json", full="true")
    page("/hsds/services", "compiled/service_list.json", minimal="true")
    for service in services:
        url = f"/hsds/services/{service['id']}"
        found.append((url, "compiled/service.json", client.get(url).json()))
    organizations = page("/hsds/organizations", "compiled/organization_list.json")
    page("/hsds/organizations", "compiled/organization.json", full="true", full_service="true")
    for organization in organizations:
        url = f"/hsds/organizations/{organization['id']}"
        found.append((url, "compiled/organization.json", client.get(url).json()))
        found.append((url, "compiled/organization.json", client.get(url, {"full_service": "true"}).json()))
    places = page("/hsds/service_at_locations", "compiled/service_at_location_list.json")
    page("/hsds/service_at_locations", "compiled/service_at_location.json", full="true")
    for place in places:
        url = f"/hsds/service_at_locations/{place['id']}"
        found.append((url, "compiled/service_at_location.json", client.get(url).json()))
    for taxonomy in page("/hsds/taxonomies", "taxonomy.json"):
        found.append(
            ("/hsds/taxonomies/{id}", "taxonomy.json", client.get(f"/hsds/taxonomies/{taxonomy['id']}").json())
        )
    for term in page("/hsds/taxonomy_terms", "taxonomy_term.json"):
        found.append(
            ("/hsds/taxonomy_terms/{id}", "taxonomy_term.json", client.get(f"/hsds/taxonomy_terms/{term['id']}").json())
        )
    return found


def schema_errors(client) -> list[str]:
    errors = []
    for where, schema, document in documents(client):
        errors += [f"{where} {document.get('id')}: {error}" for error in hsds_standard.errors(document, schema)]
    return errors


@pytest.mark.django_db
def test_the_demo_directory_validates_against_the_hsds_schemas(client):
    call_command("seed_demo", "--force", stdout=StringIO())
    found = documents(client)
    assert len([d for _, schema, d in found if schema == "compiled/service.json"]) == 26  # 13 programs, twice
    assert {schema for _, schema, _ in found} == {
        "compiled/service.json",
        "compiled/service_list.json",
        "compiled/organization.json",
        "compiled/organization_list.json",
        "compiled/service_at_location.json",
        "compiled/service_at_location_list.json",
        "taxonomy.json",
        "taxonomy_term.json",
    }
    assert schema_errors(client) == []


@pytest.mark.django_db
def test_a_directory_of_every_hsds_example_validates(client):
    for example in EXAMPLES:
        report = hsds_import(path=FIXTURES / example)
        assert report.rejected == []
    ProgramFactory(name="Our own program", organization=OrganizationFactory(name="Our provider"))
    assert Program.objects_across_tenants.count() == 18
    assert schema_errors(client) == []


@pytest.mark.django_db
def test_what_we_do_not_know_is_left_out_not_null(client):
    program = ProgramFactory(
        name="Bare",
        organization=OrganizationFactory(name="Bare provider"),
        description="",
        address="",
        city="",
        state="",
        zip_code="",
        latitude=None,
        longitude=None,
        phone="",
        email="",
        website="",
        min_age=None,
        max_age=None,
    )
    service = client.get(f"/hsds/services/{program.public_id}").json()
    assert service == {
        "id": str(program.public_id),
        "organization_id": str(program.organization.public_id),
        "name": "Bare",
        "status": "active",
        "last_modified": program.updated_at.isoformat(),
        "organization": {"id": str(program.organization.public_id), "name": "Bare provider", "description": ""},
    }


def test_a_service_in_full(client, network):
    program = network.program
    program.categories.set([category_get_or_create(name="Food")])
    program.schedule, program.languages, program.phone = "Mon–Fri 9:00–17:00", ["en", "es"], "(773) 555-0100 ext. 12"
    program.min_age, program.service_area_zip_codes, program.service_radius_miles = 18, ["60640", "60660"], 5
    program.save()
    network.provider.description = "Food for every family."
    network.provider.save()

    service = client.get(f"/hsds/services/{program.public_id}").json()
    assert hsds_standard.errors(service, "compiled/service.json") == []
    assert service["organization"] == {
        "id": str(network.provider.public_id),
        "name": "City Food Bank",
        "description": "Food for every family.",
    }
    assert (service["status"], service["minimum_age"]) == ("active", 18)
    assert "maximum_age" not in service
    assert service["phones"][0] | {"id": None} == {"id": None, "number": "(773) 555-0100", "extension": 12}
    assert service["schedules"][0]["description"] == "Mon–Fri 9:00–17:00"
    assert [(language["code"], language["name"]) for language in service["languages"]] == [
        ("en", "English"),
        ("es", "Spanish"),
    ]
    assert [area["name"] for area in service["service_areas"]] == ["Zip codes 60640, 60660", "Within 5 miles"]
    term = service["attributes"][0]["taxonomy_term"]
    assert (term["name"], term["id"]) == ("Food", taxonomy_term_id(Category.objects.get(slug="food")))
    place = service["service_at_locations"][0]
    assert place["id"] == service_at_location_id(service["id"])
    assert (place["location"]["latitude"], place["location"]["longitude"]) == (41.9719, -87.6624)
    assert place["location"]["addresses"][0]["postal_code"] == "60640"


@pytest.mark.django_db
def test_export_then_import_into_an_empty_directory_exports_the_same_documents(client, tmp_path):
    for example in EXAMPLES:
        hsds_import(path=FIXTURES / example)
    own = ProgramFactory(
        name="Our own program",
        organization=OrganizationFactory(name="Our provider"),
        schedule="Tuesdays",
        languages=["es"],
        phone="312-555-0101",
        service_radius_miles=3,
        service_area_zip_codes=["60614"],
        min_age=5,
        max_age=17,
        accepts_referrals=False,
        categories=[category_get_or_create(name="Youth")],
    )
    own.organization.description = "Ours."
    own.organization.save()
    export_file = tmp_path / "directory.json"
    out, err = StringIO(), StringIO()
    call_command("export_hsds", str(export_file), "--progress-every", "5", stdout=out, stderr=err)
    assert "18 services written" in out.getvalue()
    assert "services: 5/18 written" in err.getvalue() and "services: 18/18 written" in err.getvalue()
    before = comparable(documents(client))

    # An empty directory: no program, organization or category is left.
    Program.categories.through.objects.all().delete()
    groups = list(Program.objects_across_tenants.values_list("group_id", flat=True)) + list(
        Organization.objects.values_list("admin_group_id", flat=True)
    )
    Program.objects_across_tenants.all().delete()
    Organization.objects.all().delete()
    Category.objects.all().delete()
    Group.objects.filter(pk__in=groups).delete()
    assert [schema for _, schema, _ in documents(client)] == ["taxonomy.json"] * 2  # our taxonomy, still empty

    report = hsds_import(path=export_file)
    assert (len(report.created), report.rejected) == (18, [])
    after = comparable(documents(client))
    assert after == before
    again = hsds_import(path=export_file)
    assert (len(again.unchanged), again.created, again.updated) == (18, [], [])


def comparable(found):
    """The documents without ``last_modified``: it says when our copy changed, which an import does."""

    def strip(value):
        if isinstance(value, dict):
            return {key: strip(item) for key, item in value.items() if key != "last_modified"}
        if isinstance(value, list):
            return [strip(item) for item in value]
        return value

    return sorted(
        json.dumps([where.split("/")[2], schema, strip(document)], sort_keys=True) for where, schema, document in found
    )


@pytest.mark.django_db
def test_our_own_export_imports_back_onto_the_same_programs(client, tmp_path):
    """Programs that were never imported are exported under their public id: importing the export again
    finds them (nothing new is created), whatever their HSDS id looks like."""
    native = ProgramFactory(name="Native", organization=OrganizationFactory(name="Native provider"))
    odd = ProgramFactory(
        name="Imported with a plain id",
        hsds_id="211-42",
        organization=OrganizationFactory(name="Old 211 provider", hsds_id="org-7"),
    )
    export_file = tmp_path / "directory.json"
    call_command("export_hsds", str(export_file), stdout=StringIO(), stderr=StringIO())
    exported = {service["name"]: service for service in json.loads(export_file.read_text())}
    assert exported["Native"]["id"] == str(native.public_id)
    assert exported["Imported with a plain id"]["id"] == str(odd.public_id)  # HSDS ids are UUIDs
    assert exported["Imported with a plain id"]["organization"]["id"] == str(odd.organization.public_id)
    report = hsds_import(path=export_file)
    assert (report.created, report.updated, report.rejected) == ([], [], [])
    assert sorted(report.unchanged) == sorted([str(native.public_id), str(odd.public_id)])
    assert Program.objects_across_tenants.count() == 2 and Organization.objects.count() == 2
    assert service_id(odd) == str(odd.public_id)
