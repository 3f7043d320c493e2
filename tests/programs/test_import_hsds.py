"""python manage.py import_hsds: the Open Referral samples, our own HSDS 3.0 package, and broken files."""

import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError

from accounts.models import Organization
from programs.geo import zip_centre
from programs.hsds import services as hsds_services
from programs.hsds.services import hsds_import
from programs.models import Program
from programs.selectors import directory

FIXTURES = Path(__file__).parent / "hsds_fixtures"
V1_1_SAMPLE = FIXTURES / "openreferral-v1.1-sample"  # copies of shared/data/hsds, see hsds_fixtures/README.md
V3_0_JSON = FIXTURES / "openreferral-v3.0-json"


def run(path, *args):
    out, err = StringIO(), StringIO()
    call_command("import_hsds", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def program(hsds_id) -> Program:
    return directory().select_related("organization").get(hsds_id=hsds_id)


@pytest.mark.django_db
def test_hsds_1_1_sample_imports_then_is_unchanged():
    out, _ = run(V1_1_SAMPLE)
    assert "Services: 13 created, 0 updated, 0 unchanged, 0 rejected" in out
    assert "Organizations: 10 created" in out

    helpline = program("c89eb05c-62dd-4b64-b494-0cc347b6ea7f")
    assert helpline.name == "Never Homeless Helpline"
    assert helpline.organization.name == "Sanctuary Example City"
    assert helpline.organization.hsds_id == "1899600a-649c-11e6-8b77-86f30ca893d3"
    assert helpline.next_steps == "Call for further information"
    assert helpline.email == "neverhomeless@example.com"
    young_minds = program("25870bcf-7528-4e05-8f0c-7e639075ce71")
    assert (young_minds.latitude, young_minds.longitude) == (39.428192, -119.897426)
    bubbles = program("21a1192b-abb9-45e8-bc52-c81ca4087240")
    assert bubbles.phone == "(223) 4567 12534"
    assert bubbles.languages == ["en", "es"]
    # A service without its own phone falls back to its organization's.
    assert program("62e95523-07b9-4d1b-9bcf-6cea6e2be5d8").phone == "(223) 346 12361"
    assert program("a27a0710-72d2-41a2-8947-9d0e0e69e257").accepts_referrals is False  # status inactive
    # HTML in a description does not reach our pages as markup.
    assert "<li>" not in program("25f6e86d-ba99-4819-b6f4-2f23dbe38806").description

    out, _ = run(V1_1_SAMPLE)
    assert "Services: 0 created, 0 updated, 13 unchanged, 0 rejected" in out
    assert "Organizations:" not in out
    assert directory().count() == 13


@pytest.mark.django_db
def test_hsds_3_0_json_examples_merge_into_one_program_then_are_unchanged():
    out, _ = run(V3_0_JSON)
    # The same service appears in four files; it becomes one program.
    assert "Services: 1 created, 0 updated, 0 unchanged, 0 rejected" in out
    counselling = program("ac148810-d857-441c-9679-408f346de14b")
    assert counselling.organization.name == "Example Organization Inc."
    assert (counselling.min_age, counselling.max_age) == (12, 100)
    assert counselling.eligibility.startswith("This service is intended for all people aged 12 and over")
    assert counselling.next_steps.startswith("If you are an NHS patient")
    assert counselling.languages == ["ur"]
    assert counselling.phone == "+44 1234 234567 ext. 100"
    assert counselling.schedule.startswith("The service is available from 10 am to 6pm weekdays.")
    assert counselling.address == "1-30 Main Street, MyVillage"
    assert counselling.city == "MyCity"
    assert [c.name for c in counselling.categories.all()] == ["name"]
    # Latitude 100 is no latitude and "ABC 1234" no US zip code: imported, off the map, and said so.
    assert counselling.latitude is None
    assert "zip code 'ABC 1234' is not one we know" in out
    assert "are not a valid latitude and longitude" in out

    out, _ = run(V3_0_JSON)
    assert "Services: 0 created, 0 updated, 1 unchanged, 0 rejected" in out


@pytest.mark.django_db
def test_hsds_3_0_tabular_package(tmp_path):
    out, _ = run(FIXTURES / "v3_tabular")
    assert "Services: 3 created, 0 updated, 0 unchanged, 0 rejected" in out

    pantry = program("b2000000-0000-4000-8000-000000000001")
    assert pantry.organization.name == "Uptown Neighbors"
    assert pantry.description == "Groceries every week, no appointment."
    assert pantry.eligibility == "Residents of Uptown"
    assert pantry.next_steps == "Come on a Tuesday with a photo ID."
    assert pantry.address == "4600 N Broadway, Suite 2"
    assert (pantry.city, pantry.state, pantry.zip_code) == ("Chicago", "IL", "60640")
    # No coordinates in the package: placed at the zip code's centre.
    assert (pantry.latitude, pantry.longitude) == zip_centre("60640")
    assert pantry.service_area_zip_codes == ["60640", "60660"]
    assert pantry.schedule == "Tue, Thu 09:00–17:00"
    assert pantry.languages == ["en", "es"]
    assert pantry.phone == "(773) 555-0100"
    assert [c.name for c in pantry.categories.all()] == ["Food Pantries"]
    assert (pantry.capacity_available, pantry.capacity_maximum) == (12, 40)
    assert pantry.capacity_updated_at.isoformat() == "2024-05-01T09:00:00+00:00"

    jobs = program("b2000000-0000-4000-8000-000000000002")
    assert (jobs.min_age, jobs.max_age) == (16, 24)
    assert jobs.schedule == "Weekday afternoons in June and July"

    eviction = program("b2000000-0000-4000-8000-000000000003")
    assert eviction.accepts_referrals is False
    assert eviction.address == "3000 N Halsted St"  # the physical address, not the PO box
    assert (eviction.latitude, eviction.longitude) == (41.94, -87.65)
    assert eviction.phone == "(773) 555-0199 ext. 12"
    assert eviction.languages == ["pl"]

    out, _ = run(FIXTURES / "v3_tabular")
    assert "Services: 0 created, 0 updated, 3 unchanged, 0 rejected" in out

    changed = tmp_path / "package"
    shutil.copytree(FIXTURES / "v3_tabular", changed)
    services_csv = changed / "service.csv"
    services_csv.write_text(services_csv.read_text().replace("Summer jobs for young people.", "Jobs all year."))
    out, _ = run(changed)
    assert "Services: 0 created, 1 updated, 2 unchanged, 0 rejected" in out
    assert program("b2000000-0000-4000-8000-000000000002").description == "Jobs all year."


@pytest.mark.django_db
def test_claimers_own_settings_survive_a_reimport():
    run(FIXTURES / "v3_tabular")
    pantry = program("b2000000-0000-4000-8000-000000000001")
    Program.objects_across_tenants.filter(pk=pantry.pk).update(expected_response_hours=24, round_robin_assignment=True)
    out, _ = run(FIXTURES / "v3_tabular")
    assert "3 unchanged" in out
    pantry.refresh_from_db()
    assert (pantry.expected_response_hours, pantry.round_robin_assignment) == (24, True)


@pytest.mark.django_db
def test_bad_csv_rows_are_reported_with_file_and_line_and_good_rows_import():
    out, _ = run(FIXTURES / "broken_csv")
    assert "services.csv line 4: the row has 18 fields where the header has 16" in out
    assert "services.csv line 5: the service row has no id" in out
    assert "services.csv line 6: service 0c000000-0000-4000-8000-000000000004: organization" in out
    assert "Services: 2 created, 0 updated, 0 unchanged, 3 rejected" in out
    assert set(directory().values_list("name", flat=True)) == {"Good Service One", "Good Service Two"}
    assert program("0c000000-0000-4000-8000-000000000001").description == "A description\nover two lines"
    # Values we can leave out are left out, with a warning, and the service is imported.
    good_two = program("0c000000-0000-4000-8000-000000000005")
    assert (good_two.email, good_two.website) == ("", "")
    assert "services.csv line 7: service 0c000000-0000-4000-8000-000000000005: email 'not-an-email'" in out


@pytest.mark.django_db
def test_invalid_json_and_records_without_id_are_reported_and_the_rest_imports():
    out, _ = run(FIXTURES / "broken_json")
    assert "rejected  a_invalid.json line 5: invalid JSON" in out
    assert "rejected  b_services.json line 8: the service has no id" in out
    assert "rejected  b_services.json line 12: minimum_age 'twelve' is not a number" in out
    assert "Services: 1 created, 0 updated, 0 unchanged, 3 rejected" in out
    assert list(directory().values_list("name", flat=True)) == ["Listed Service"]
    assert not Organization.objects.filter(name="Cut Off").exists()


@pytest.mark.django_db
def test_unknown_zip_code_imports_the_service_off_the_map_with_a_warning():
    out, _ = run(FIXTURES / "unknown_zip")
    assert "service.json line 1: service 0f000000-0000-4000-8000-000000000001: location" in out
    assert "zip code '00000' is not one we know" in out
    assert "1 created" in out
    unknown = program("0f000000-0000-4000-8000-000000000001")
    assert (unknown.zip_code, unknown.latitude, unknown.longitude) == ("00000", None, None)


@pytest.mark.django_db
def test_a_service_that_fails_midway_is_not_half_written(monkeypatch):
    """The batch holding the failing service is rolled back and saved again service by service: the others
    are imported, the failing one is refused whole."""
    real_create, real_create_many = hsds_services.program_create, hsds_services.program_create_many

    def create_then_fail(**kwargs):
        created = real_create(**kwargs)
        if created.name == "Uptown Youth Jobs":
            raise DatabaseError("disk full")
        return created

    def create_many_then_fail(*, entries):
        created = real_create_many(entries=entries)
        if any(entry["name"] == "Uptown Youth Jobs" for entry in entries):
            raise DatabaseError("disk full")
        return created

    monkeypatch.setattr(hsds_services, "program_create", create_then_fail)
    monkeypatch.setattr(hsds_services, "program_create_many", create_many_then_fail)
    report = hsds_import(path=FIXTURES / "v3_tabular")
    assert len(report.created) == 2
    assert [str(problem.source) for problem in report.rejected] == ["service.csv line 3"]
    assert "disk full" in report.rejected[0].message
    assert not directory().filter(hsds_id="b2000000-0000-4000-8000-000000000002").exists()
    assert not directory().filter(name="Uptown Youth Jobs").exists()


@pytest.mark.django_db
def test_progress_goes_to_stderr_and_the_summary_to_stdout():
    out, err = run(FIXTURES / "v3_tabular", "--progress-every", "1")
    assert "service.csv: 3 rows read" in err
    assert "services: 3/3 saved" in err
    assert "rows read" not in out


def test_a_path_without_hsds_data_is_refused(tmp_path):
    with pytest.raises(CommandError, match="holds neither"):
        run(tmp_path)


@pytest.mark.django_db
def test_single_json_file_and_an_organization_list(tmp_path):
    organizations = tmp_path / "organization_list.json"
    organizations.write_text(
        json.dumps(
            {
                "total_items": 1,
                "contents": [
                    {"id": "11111111-1111-4111-8111-111111111111", "name": "Listed Org", "website": "https://o.example"}
                ],
            }
        )
    )
    out, _ = run(organizations)
    assert "Organizations: 1 created" in out
    assert "Services: 0 created" in out
    organization = Organization.objects.get(hsds_id="11111111-1111-4111-8111-111111111111")
    assert organization.name == "Listed Org"
    assert organization.runs_site is False
