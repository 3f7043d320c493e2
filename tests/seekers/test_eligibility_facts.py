"""The optional facts eligibility rules read on a seeker's profile (household size, monthly income, languages):
each says why it is asked, a bad value is refused on its field with nothing changed, the API reads and writes
them, the data export carries them and erasure removes them."""

import html as html_lib
from decimal import Decimal

import pytest
from django.urls import reverse

from seekers.models import Seeker

pytestmark = pytest.mark.django_db


def form(**changes):
    data = {
        "first_name": "Luis",
        "last_name": "Hernandez",
        "zip_code": "60640",
        "email": "luis@example.com",
        "preferred_language": "en",
        "contact_preference": "email",
    }
    data.update(changes)
    return data


def reload(seeker):
    return Seeker.objects_across_tenants.get(pk=seeker.pk)


def test_the_facts_are_asked_with_why_and_saved(client, network):
    client.force_login(network.referrer)
    url = reverse("seekers:edit", args=[network.seeker.public_id])
    page = client.get(url).content.decode()
    assert "tells which programs&#x27; income limits the household meets" in page or "income limits" in page
    assert "programs that list none of them are marked to check" in page
    response = client.post(url, form(household_size="4", monthly_income="$2,150.50", languages="Spanish, English"))
    assert response.status_code == 302
    seeker = reload(network.seeker)
    assert (seeker.household_size, seeker.monthly_income, seeker.languages) == (4, Decimal("2150.50"), ["es", "en"])
    profile = client.get(reverse("seekers:profile", args=[seeker.public_id])).content.decode()
    assert "$2,150.50" in profile and "es, en" in profile


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("monthly_income", "a lot", "Enter the monthly income as a number of dollars, like 2150."),
        ("monthly_income", "-5", "Enter a monthly income from 0 to 1,000,000 dollars."),
        ("monthly_income", "10.505", "Enter the monthly income to the cent at most"),
        ("monthly_income", "NaN", "Enter a monthly income from 0 to 1,000,000 dollars."),
        ("household_size", "0", "a whole number from 1 to 30"),
        ("household_size", "2.5", "a whole number from 1 to 30"),
        ("household_size", "٣", "a whole number from 1 to 30"),
        ("languages", "Spanish, Elvish", "Not a language we know: Elvish."),
    ],
)
def test_a_bad_fact_is_refused_on_its_field_and_nothing_changes(client, network, field, value, message):
    client.force_login(network.referrer)
    response = client.post(
        reverse("seekers:edit", args=[network.seeker.public_id]), form(last_name="Changed", **{field: value})
    )
    assert response.status_code == 400
    page = html_lib.unescape(response.content.decode())
    assert message in page
    assert f'value="{value}"' in page  # what was typed stays
    seeker = reload(network.seeker)
    assert seeker.last_name == "Hernandez" and seeker.household_size is None and seeker.monthly_income is None


def test_the_api_reads_and_writes_the_facts(client, network):
    client.force_login(network.referrer)
    url = f"/api/v1/seekers/{network.seeker.public_id}/"
    answer = client.patch(
        url,
        {"household_size": 3, "monthly_income": "1800.00", "languages": ["Vietnamese", "en"]},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    body = client.get(url).json()
    assert (body["household_size"], body["monthly_income"], body["languages"]) == (3, "1800.00", ["vi", "en"])
    refused = client.patch(url, {"monthly_income": "lots", "household_size": 99}, content_type="application/json")
    assert refused.status_code == 400
    assert set(refused.json()) >= {"monthly_income", "household_size"}
    refused = client.patch(url, {"languages": ["Elvish"]}, content_type="application/json")
    assert refused.status_code == 400 and "Elvish" in refused.json()["languages"][0]
    assert reload(network.seeker).monthly_income == Decimal("1800.00")


def test_erasure_removes_the_facts_and_the_export_carries_them(network):
    from privacy.services import seeker_erase, seeker_export

    Seeker.objects_across_tenants.filter(pk=network.seeker.pk).update(
        household_size=2, monthly_income=Decimal("900"), languages=["es"]
    )
    exported = seeker_export(actor=network.site_admin, seeker=reload(network.seeker))
    assert exported["profile"]["household_size"] == 2 and exported["profile"]["monthly_income"] == "900.00"
    assert exported["profile"]["languages"] == ["es"]
    seeker_erase(actor=network.site_admin, seeker=reload(network.seeker))
    seeker = reload(network.seeker)
    assert (seeker.household_size, seeker.monthly_income, seeker.languages) == (None, None, [])
