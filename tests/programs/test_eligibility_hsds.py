"""Structured eligibility in and out of HSDS 3.0: required_documents, languages, service_areas and the ages are
imported from the data and exported back, valid against the official schemas."""

import json
from pathlib import Path

import pytest

from programs.hsds.services import hsds_import
from programs.selectors import directory
from tests.programs import hsds_standard

FIXTURES = Path(__file__).parent / "hsds_fixtures"

pytestmark = pytest.mark.django_db


def test_the_required_documents_of_the_hsds_example_are_imported():
    hsds_import(path=FIXTURES / "openreferral-v3.0-json")
    counselling = directory().get(hsds_id="ac148810-d857-441c-9679-408f346de14b")
    assert counselling.required_documents == [
        "Any official identification document (Passport, Driver's Licence, identity card) and evidence of address "
        "such as an official letter from local or national government. A driver's license which shows your name, "
        "photograph, and address can be used as a sole identification document."
    ]
    assert (counselling.min_age, counselling.max_age, counselling.languages) == (12, 100, ["ur"])


def test_required_documents_from_a_tabular_package(tmp_path):
    package = tmp_path / "package"
    package.mkdir()
    (package / "organization.csv").write_text("id,name\norg-1,Northside Aid\n")
    (package / "service.csv").write_text("id,organization_id,name,status\nsvc-1,org-1,Rent help,active\n")
    (package / "required_document.csv").write_text(
        'id,service_id,document\nd1,svc-1,"Lease, or a letter from the landlord"\nd2,svc-1,Photo ID\nd3,other,Nope\n'
    )
    (package / "language.csv").write_text("id,service_id,name,code\nl1,svc-1,Spanish,es\n")
    (package / "service_area.csv").write_text("id,service_id,name\na1,svc-1,Zip codes 60640 and 60660\n")
    hsds_import(path=package)
    program = directory().get(hsds_id="svc-1")
    assert program.required_documents == ["Lease, or a letter from the landlord", "Photo ID"]
    assert program.languages == ["es"] and program.service_area_zip_codes == ["60640", "60660"]


def test_the_rules_are_exported_and_valid(client, network):
    program = network.program
    program.required_documents = ["Photo ID", "Proof of address"]
    program.languages, program.min_age, program.max_age = ["es"], 18, 64
    program.service_area_zip_codes = ["60640"]
    program.save()
    service = client.get(f"/hsds/services/{program.public_id}").json()
    assert hsds_standard.errors(service, "compiled/service.json") == []
    assert [document["document"] for document in service["required_documents"]] == ["Photo ID", "Proof of address"]
    assert len({document["id"] for document in service["required_documents"]}) == 2
    assert (service["minimum_age"], service["maximum_age"]) == (18, 64)
    assert [language["code"] for language in service["languages"]] == ["es"]
    assert service["service_areas"][0]["extent"] == "60640"


def test_a_program_without_documents_exports_none(client, network):
    service = client.get(f"/hsds/services/{network.program.public_id}").json()
    assert "required_documents" not in service
    assert json.dumps(service)  # a plain JSON document
