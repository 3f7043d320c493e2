"""core.zipcode: the one reader of zip codes, and every door a zip code comes in by."""

import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from core.zipcode import InvalidZipCode, parse_zip, zip_codes_in
from programs.geo import zip_centre
from programs.selectors import directory
from seekers.models import Seeker
from tests.factories import api_token

FULLWIDTH, ARABIC_INDIC = "６０６４０", "٦٠٦٤٠"
HSDS_FIXTURES = Path(__file__).parent.parent / "programs" / "hsds_fixtures"


@pytest.mark.parametrize(
    "value, expected",
    [("60640", "60640"), (" 60640 ", "60640"), ("60640-1234", "60640"), ("606401234", "60640"), ("", ""), (None, "")],
)
def test_a_zip_code_is_its_five_ascii_digits(value, expected):
    assert parse_zip(value) == expected


@pytest.mark.parametrize("value", [FULLWIDTH, ARABIC_INDIC, "6064０", "60640-１２３４", "²0640"])
def test_digits_of_other_scripts_are_refused_with_their_own_message(value):
    with pytest.raises(InvalidZipCode) as refused:
        parse_zip(value, field="zip")
    assert refused.value.code == "non_ascii_digits"
    assert refused.value.errors == {"zip": ["Write the zip code with the digits 0 to 9, like 60640."]}
    assert zip_centre(value) is None  # never reaches the zip-code table


@pytest.mark.parametrize("value", ["6064", "606400", "60640-12", "abcde", "60640 1234", "60640-"])
def test_malformed_zip_codes_are_refused(value):
    with pytest.raises(InvalidZipCode, match="Enter a five-digit zip code"):
        parse_zip(value)


def test_zip_codes_in_free_text_are_ascii_only():
    assert zip_codes_in(f"Serves 60640, 60613-2201 and {FULLWIDTH}; not 123456") == ["60640", "60613"]


def signed_in(client, user):
    client.force_login(user)
    return client


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


@pytest.mark.parametrize("zip_code", [FULLWIDTH, ARABIC_INDIC])
def test_program_search_refuses_non_ascii_digits_on_the_page_and_in_the_api(client, network, zip_code):
    response = signed_in(client, network.referrer).get("/programs/", {"zip": zip_code})
    assert response.status_code == 400
    assert "Write the zip code with the digits 0 to 9" in response.content.decode()
    assert response.context["form"]["zip"].value() == zip_code  # the refused form keeps its input
    response = token_client(network.referrer).get("/api/v1/programs/", {"zip": zip_code})
    assert response.status_code == 400
    assert response.json() == {"zip": ["Write the zip code with the digits 0 to 9, like 60640."]}


def test_program_search_accepts_zip_plus_4_on_the_page_and_in_the_api(client, network):
    response = signed_in(client, network.referrer).get("/programs/", {"zip": "60640-1234", "radius": "5"})
    assert response.status_code == 200
    assert network.program.name in [program.name for program in response.context["page"].object_list]
    assert "miles away" in response.content.decode()
    response = token_client(network.referrer).get("/api/v1/programs/", {"zip": "60640-1234", "radius_miles": 5})
    assert response.status_code == 200
    assert response.json()["results"][0]["distance_miles"] is not None


@pytest.mark.parametrize("zip_code", [FULLWIDTH, ARABIC_INDIC])
def test_a_seeker_s_zip_code_in_other_digits_is_refused_and_not_saved(client, network, zip_code):
    seeker = network.seeker
    response = signed_in(client, network.referrer).post(
        f"/people/{seeker.public_id}/edit/",
        {
            "first_name": seeker.first_name,
            "last_name": seeker.last_name,
            "zip_code": zip_code,
            "preferred_language": "en",
            "contact_preference": "do_not_contact",
        },
    )
    assert response.status_code == 400
    assert "Write the zip code with the digits 0 to 9" in response.content.decode()
    response = token_client(network.referrer).patch(
        f"/api/v1/seekers/{seeker.public_id}/", {"zip_code": zip_code}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["zip_code"] == ["Write the zip code with the digits 0 to 9, like 60640."]
    assert Seeker.objects_across_tenants.get(pk=seeker.pk).zip_code == "60640"


def test_the_hsds_api_reads_postcode_as_a_zip_code(client, db):
    for postcode in (FULLWIDTH, ARABIC_INDIC):
        response = client.get("/hsds/service_at_locations", {"postcode": postcode})
        assert response.status_code == 400 and "digits 0 to 9" in response.json()["detail"]
    assert client.get("/hsds/service_at_locations", {"postcode": "60640-1234"}).status_code == 200


@pytest.mark.django_db
def test_the_hsds_import_leaves_out_a_postal_code_in_other_digits(tmp_path):
    package = tmp_path / "package"
    shutil.copytree(HSDS_FIXTURES / "unknown_zip", package)
    service = json.loads((package / "service.json").read_text())
    service["service_at_locations"][0]["location"]["addresses"][0]["postal_code"] = ARABIC_INDIC
    service["service_areas"] = [{"id": "0f500000-0000-4000-8000-000000000001", "name": f"Zip codes {FULLWIDTH}"}]
    (package / "service.json").write_text(json.dumps(service))
    out = StringIO()
    call_command("import_hsds", str(package), stdout=out, stderr=StringIO())
    assert f"the postal code '{ARABIC_INDIC}' is not written with the digits 0 to 9; left out" in out.getvalue()
    program = directory().get(hsds_id=service["id"])
    assert (program.zip_code, program.latitude, program.service_area_zip_codes) == ("", None, [])
