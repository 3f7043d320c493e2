"""A program's structured eligibility: edited by its claimers on the listing page and by network admins, each bad
value refused on its field with nothing changed; the poverty guideline loaded from a file."""

import json

import pytest
from django.core.management import CommandError, call_command

from core.errors import InvalidInput, NotAllowed
from programs.models import PovertyGuideline, Program
from programs.selectors import current_poverty_guidelines
from programs.services import program_admin_update, program_update
from tests.admin_forms import network_admin, page_data

pytestmark = pytest.mark.django_db


def url(program):
    return f"/programs/{program.public_id}/manage/"


def listing(program, **changes):
    data = {
        "description": program.description,
        "accepts_referrals": "on",
        "capacity_available": program.capacity_available,
        "capacity_maximum": program.capacity_maximum,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def reload(program):
    return Program.objects_across_tenants.get(pk=program.pk)


def test_a_claimer_states_the_programs_eligibility(network, client):
    client.force_login(network.claimer)
    response = client.post(
        url(network.program),
        listing(
            network.program,
            min_age="18",
            max_age="64",
            service_area_zip_codes="60640, 60660",
            service_radius_miles="5",
            income_limit_percent_of_poverty="200",
            languages="English, Spanish",
            required_documents="Photo ID\nProof of address",
            eligibility="Veterans first.",
        ),
    )
    assert response.status_code == 302
    program = reload(network.program)
    assert (program.min_age, program.max_age) == (18, 64)
    assert program.service_area_zip_codes == ["60640", "60660"] and program.service_radius_miles == 5
    assert program.income_limit_percent_of_poverty == 200
    assert program.languages == ["en", "es"]
    assert program.required_documents == ["Photo ID", "Proof of address"]
    assert program.eligibility == "Veterans first."
    html = client.get(url(program)).content.decode()
    assert 'value="60640, 60660"' in html and 'value="en, es"' in html and "Photo ID\nProof of address" in html


def test_bad_rules_are_refused_on_their_fields_keeping_what_was_typed(network, client):
    client.force_login(network.claimer)
    before = reload(network.program)
    response = client.post(
        url(network.program),
        listing(
            network.program,
            description="Changed too",
            min_age="40",
            max_age="20",
            service_area_zip_codes="60640, 6064",
            income_limit_percent_of_poverty="two hundred",
            languages="Klingon",
        ),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "The maximum age cannot be below the minimum age." in html
    assert "Not a US zip code we know: 6064." in html
    assert "A whole percentage from 1 to 1000" in html
    assert "Not a language we know: Klingon." in html
    assert 'value="two hundred"' in html and 'value="60640, 6064"' in html
    after = reload(network.program)
    assert (after.description, after.min_age, after.income_limit_percent_of_poverty) == (
        before.description,
        before.min_age,
        before.income_limit_percent_of_poverty,
    )


def test_the_service_checks_an_age_against_the_one_left_unchanged(network):
    program_update(actor=network.claimer, program=network.program, min_age=18)
    with pytest.raises(InvalidInput) as refused:
        program_update(actor=network.claimer, program=network.program, max_age=10)
    assert refused.value.errors == {"max_age": ["The maximum age cannot be below the minimum age."]}
    assert reload(network.program).max_age is None


def test_only_claimers_and_admins_edit_the_rules(network):
    with pytest.raises(NotAllowed):
        program_update(actor=network.outsider, program=network.program, income_limit_percent_of_poverty=150)
    assert reload(network.program).income_limit_percent_of_poverty is None


def test_a_network_admin_edits_the_rules_in_the_admin(client, network):
    client.force_login(network_admin())
    page = f"/admin/programs/program/{network.program.pk}/change/"
    data = page_data(client.get(page))
    data.update(languages="Polish, es", required_documents="Lease", income_limit_percent_of_poverty="150")
    assert client.post(page, data).status_code == 302
    program = reload(network.program)
    assert program.languages == ["pl", "es"] and program.required_documents == ["Lease"]
    assert program.income_limit_percent_of_poverty == 150

    data = page_data(client.get(page))
    assert data["languages"] == "pl, es"
    data["service_area_zip_codes"] = "not a zip"
    response = client.post(page, data)
    assert response.status_code == 200 and "Not a US zip code we know: not a zip." in response.content.decode()


def test_program_admin_update_refuses_bad_rules(network):
    with pytest.raises(InvalidInput) as refused:
        program_admin_update(program=network.program, languages=["Klingon"])
    assert "languages" in refused.value.errors
    assert reload(network.program).languages == []


def test_the_shipped_guideline_is_loaded_by_the_migration():
    row = PovertyGuideline.objects.get(region="contiguous")
    assert (row.year, row.first_person, row.each_additional_person) == (2026, 15960, 5680)
    assert row.source.startswith("https://www.federalregister.gov/")
    assert current_poverty_guidelines() == {"contiguous": (15960, 5680)}


def test_the_command_loads_a_newer_year_from_a_file(tmp_path, django_assert_max_num_queries):
    path = tmp_path / "2027.json"
    path.write_text(
        json.dumps(
            {
                "year": 2027,
                "source": "https://aspe.hhs.gov/topics/poverty-economic-mobility/poverty-guidelines",
                "regions": {"contiguous": {"first_person": 16500, "each_additional_person": 5800}},
            }
        )
    )
    call_command("load_poverty_guidelines", str(path))
    call_command("load_poverty_guidelines", str(path))  # twice: the same rows
    assert PovertyGuideline.objects.filter(year=2027).count() == 1
    with django_assert_max_num_queries(1):
        assert current_poverty_guidelines() == {"contiguous": (16500, 5800)}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "is not JSON"),
        ('{"year": 2027, "source": "https://x.example", "regions": {"mars": {}}}', "unknown region 'mars'"),
        (
            '{"year": 2027, "source": "https://x.example", "regions": {"contiguous": {"first_person": "lots"}}}',
            "contiguous.first_person must be a whole number of dollars",
        ),
        ('{"year": 2027, "regions": {}}', "source must be the web address"),
    ],
)
def test_a_bad_guideline_file_changes_nothing(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(CommandError, match=message):
        call_command("load_poverty_guidelines", str(path))
    assert list(PovertyGuideline.objects.values_list("year", flat=True)) == [2026]
