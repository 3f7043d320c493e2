"""Search knows the seeker: the database's "not eligible" filter agrees with programs.eligibility.evaluate, the
Start a referral page gives each program its verdict and hides the ineligible behind "show N more", and the API
answers the verdict for `seeker=<id>` of the user's own tenant only; a fixed number of queries."""

import itertools
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from programs.eligibility import ProgramRules, SeekerFacts, evaluate, poverty_guideline
from programs.selectors import current_poverty_guidelines, program_search
from tests import factories

pytestmark = pytest.mark.django_db
URL = reverse("programs:search")
UPTOWN = (41.9719, -87.6624)  # 60640
LOOP = (41.8857, -87.6181)  # 60601


def _facts(age, zip_code, centre, size, income):
    guidelines = {"contiguous": (15960, 5680)}
    return SeekerFacts(
        age=age,
        zip_code=zip_code,
        latitude=centre[0] if centre else None,
        longitude=centre[1] if centre else None,
        household_size=size,
        monthly_income=income,
        poverty_guideline=poverty_guideline(guidelines, zip_code, size),
    )


def test_the_database_and_evaluate_agree_on_not_eligible(network):
    rules = [
        dict(min_age=18),
        dict(max_age=24),
        dict(min_age=18, max_age=64),
        dict(service_area_zip_codes=["60640"]),
        dict(service_area_zip_codes=["60601", "60660"]),
        dict(service_radius_miles=3),
        dict(service_radius_miles=10),
        dict(service_radius_miles=3, latitude=None, longitude=None),
        dict(service_area_zip_codes=["60601"], service_radius_miles=1),
        dict(income_limit_percent_of_poverty=100),
        dict(income_limit_percent_of_poverty=200),
        dict(min_age=18, service_area_zip_codes=["60601"], income_limit_percent_of_poverty=150),
        dict(languages=["pl"]),
        dict(),
    ]
    programs = [factories.ProgramFactory(organization=network.provider, **rule) for rule in rules]
    facts_cases = [
        _facts(age, zip_code, centre, size, income)
        for age, (zip_code, centre), (size, income) in itertools.product(
            (None, 12, 30, 70),
            (("", None), ("60640", UPTOWN), ("60601", LOOP), ("00001", None)),
            ((None, None), (3, Decimal("2000")), (1, Decimal("2500")), (2, None), (1, Decimal("1331"))),
        )
    ]
    ids = [program.pk for program in programs]
    for facts in facts_cases:
        from_database = {
            program.pk: program.not_eligible for program in program_search(seeker_facts=facts).filter(pk__in=ids)
        }
        for program in programs:
            expected = evaluate(ProgramRules.of(program), facts).is_not_eligible
            assert from_database[program.pk] == expected, (ProgramRules.of(program), facts)


@pytest.fixture
def rules(network):
    income = factories.ProgramFactory(
        organization=network.provider, name="Rent Relief", income_limit_percent_of_poverty=200
    )
    area = factories.ProgramFactory(
        organization=network.provider, name="Loop Tenants Union", service_area_zip_codes=["60601"]
    )
    adults = factories.ProgramFactory(organization=network.provider, name="Adult Education", min_age=18)
    return income, area, adults


def set_seeker(seeker, **facts):
    type(seeker).objects_across_tenants.filter(pk=seeker.pk).update(**facts)


def cards(response):
    return {program.name: program.verdict for program in response.context["page"].object_list}


def test_each_card_says_likely_check_or_not_and_hides_the_not_eligible(client, network, rules):
    set_seeker(network.seeker, date_of_birth=date(1990, 1, 1), household_size=None, monthly_income=None)
    client.force_login(network.referrer)
    response = client.get(URL, {"seeker": network.seeker.public_id})
    html = response.content.decode()
    shown = cards(response)
    assert shown["Rent Relief"].kind == "check"
    assert "Check eligibility</span>: income and household size not recorded" in html
    assert shown["Adult Education"].kind == "likely" and "Likely eligible</span>" in html
    assert "Loop Tenants Union" not in shown  # 60640 is outside its area
    assert "1 program hidden because Luis is not eligible (age, area or income)" in html
    assert "Show 1 more" in html

    everything = client.get(URL, {"seeker": network.seeker.public_id, "show_ineligible": "on"})
    assert cards(everything)["Loop Tenants Union"].reasons == ("outside the service area (zip code 60640)",)


def test_income_against_the_guideline_decides(client, network, rules):
    # Household of 3 in 2026: 27,320 a year; 200% = 4,553.33 a month.
    set_seeker(network.seeker, household_size=3, monthly_income=Decimal("5000.00"))
    client.force_login(network.referrer)
    response = client.get(URL, {"seeker": network.seeker.public_id, "show_ineligible": "on"})
    verdict = cards(response)["Rent Relief"]
    assert verdict.kind == "not_eligible"
    assert verdict.reasons == ("income 220% of the poverty guideline, program serves up to 200%",)
    set_seeker(network.seeker, monthly_income=Decimal("4000.00"))
    assert cards(client.get(URL, {"seeker": network.seeker.public_id}))["Rent Relief"].kind == "likely"


def test_the_verdict_in_spanish(client, network, rules):
    set_seeker(network.seeker, household_size=None)
    client.force_login(network.referrer)
    response = client.get(URL, {"seeker": network.seeker.public_id}, HTTP_ACCEPT_LANGUAGE="es")
    if response.wsgi_request.LANGUAGE_CODE != "es":
        pytest.skip("the staff pages follow the account's language only")
    assert "Verificar los requisitos" in response.content.decode()


def test_the_queries_do_not_grow_with_programs_or_rules(client, network, rules, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    set_seeker(network.seeker, household_size=2, monthly_income=Decimal("1800"), date_of_birth=date(1980, 5, 5))
    client.force_login(network.referrer)
    params = {"seeker": network.seeker.public_id}
    with CaptureQueriesContext(connection) as few:
        client.get(URL, params)
    for number in range(12):
        factories.ProgramFactory(
            organization=network.provider,
            income_limit_percent_of_poverty=100 + number * 20,
            service_area_zip_codes=["60640", "60601"] if number % 2 else [],
            service_radius_miles=5 if number % 3 else None,
            min_age=number if number % 4 else None,
        )
    with django_assert_max_num_queries(len(few)):
        response = client.get(URL, params)
    assert len(response.context["page"].object_list) >= 15


def test_the_api_answers_the_verdict_for_a_seeker_of_the_users_tenant(client, network, rules):
    set_seeker(network.seeker, date_of_birth=date(2015, 1, 1))
    client.force_login(network.referrer)
    body = client.get("/api/v1/programs/", {"seeker": str(network.seeker.public_id)}).json()
    verdicts = {program["name"]: program["eligibility_verdict"] for program in body["results"]}
    assert verdicts["Adult Education"]["kind"] == "not_eligible"
    assert (
        verdicts["Adult Education"]["reasons"][0].startswith("age ")
        and "18+" in verdicts["Adult Education"]["reasons"][0]
    )
    assert verdicts["Loop Tenants Union"] == {
        "kind": "not_eligible",
        "label": "Not eligible",
        "reasons": ["outside the service area (zip code 60640)"],
    }
    assert verdicts["Rent Relief"]["kind"] == "check"
    without = client.get("/api/v1/programs/").json()
    assert all(program["eligibility_verdict"] is None for program in without["results"])


def test_another_tenants_seeker_is_404_and_a_bad_id_400(client, network, rules):
    client.force_login(network.outsider)
    answer = client.get("/api/v1/programs/", {"seeker": str(network.seeker.public_id)})
    assert answer.status_code == 404
    assert "Luis" not in answer.content.decode()
    assert client.get("/api/v1/programs/", {"seeker": "not-a-uuid"}).status_code == 400
    assert client.get("/api/v1/programs/", {"seeker": str(network.outsider_seeker.public_id)}).status_code == 200


def test_the_api_search_with_a_seeker_is_a_fixed_number_of_queries(
    client, network, rules, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    set_seeker(network.seeker, household_size=2, monthly_income=Decimal("1800"))
    client.force_login(network.referrer)
    params = {"seeker": str(network.seeker.public_id)}
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/programs/", params)
    for _ in range(10):
        factories.ProgramFactory(organization=network.provider, income_limit_percent_of_poverty=150)
    with django_assert_max_num_queries(len(few)):
        assert len(client.get("/api/v1/programs/", params).json()["results"]) >= 15


def test_the_guidelines_are_read_once(network):
    assert current_poverty_guidelines()["contiguous"] == (15960, 5680)
