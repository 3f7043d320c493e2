from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from programs.services import category_get_or_create
from tests import factories

URL = reverse("programs:search")


@pytest.fixture
def directory(network):
    food = category_get_or_create(name="Food")
    legal = factories.ProgramFactory(
        organization=network.provider,
        name="Loop Legal Clinic",
        zip_code="60601",
        latitude=41.8858,
        longitude=-87.6181,
        min_age=18,
        eligibility="Tenants facing eviction.",
    )
    youth = factories.ProgramFactory(
        organization=network.provider,
        name="Youth Jobs",
        min_age=16,
        max_age=24,
        capacity_available=3,
        capacity_maximum=12,
        capacity_updated_at=timezone.now() - timedelta(days=3, hours=2),
    )
    paused = factories.ProgramFactory(
        organization=network.provider, name="Paused Pantry", accepts_referrals=False, categories=[food]
    )
    network.program.categories.add(food)
    return legal, youth, paused


def result_names(response):
    return [program.name for program in response.context["page"].object_list]


def test_start_a_referral_searches_in_the_seeker_s_zip_code_under_a_banner(client, network, directory):
    client.force_login(network.referrer)
    response = client.get(URL, {"seeker": network.seeker.public_id})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Finding programs for Luis Hernandez" in html
    assert response.context["form"]["zip"].value() == "60640"
    assert "0.0 miles away" in html
    assert result_names(response)[-1] == "Loop Legal Clinic"  # the farthest
    assert ">Refer</button>" in html


def test_results_show_accepting_slots_and_when_updated(client, network, directory):
    client.force_login(network.referrer)
    html = client.get(URL, {"zip": "60640"}).content.decode()
    assert "Accepting referrals now" in html
    assert "Not accepting referrals now" in html
    assert "3 open slots of 12 · updated 3 days ago" in html
    assert "Tenants facing eviction." in html
    assert "ages 16–24" in html


def test_radius_category_and_keywords(client, network, directory):
    client.force_login(network.referrer)
    assert "Loop Legal Clinic" not in result_names(client.get(URL, {"zip": "60640", "radius": "3"}))
    assert set(result_names(client.get(URL, {"category": "food"}))) == {"Community Food Pantry", "Paused Pantry"}
    assert result_names(client.get(URL, {"q": "legal"})) == ["Loop Legal Clinic"]


def test_a_malformed_zip_code_gets_a_field_message(client, network, directory):
    client.force_login(network.referrer)
    response = client.get(URL, {"zip": "6064"})
    assert response.status_code == 400
    assert "Enter a five-digit zip code" in response.content.decode()
    assert response.context["page"] is None


def test_start_a_referral_for_a_zip_code_we_cannot_place_lists_programs_without_distances(client, network, directory):
    type(network.seeker).objects_across_tenants.filter(pk=network.seeker.pk).update(zip_code="99999")
    client.force_login(network.referrer)
    # What the profile's "Start a referral" form sends.
    response = client.get(URL, {"seeker": network.seeker.public_id, "zip": "99999"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "We have no map location for zip code 99999, so these programs are listed by name, without distances" in html
    assert "near 99999" not in html and "miles away" not in html and "errorlist" not in html
    assert result_names(response) == sorted(result_names(response))
    assert "Loop Legal Clinic" in result_names(response)
    assert ">Refer</button>" in html


def test_a_radius_around_a_zip_code_we_cannot_place_is_said_not_to_apply(client, network, directory):
    client.force_login(network.referrer)
    response = client.get(URL, {"zip": "99999", "radius": "3"})
    assert response.status_code == 200
    assert "and the radius is not applied" in response.content.decode()
    assert "Loop Legal Clinic" in result_names(response)


def test_programs_the_seeker_is_too_young_for_are_hidden_behind_a_toggle(client, network, directory):
    type(network.seeker).objects_across_tenants.filter(pk=network.seeker.pk).update(
        date_of_birth=date.today().replace(year=date.today().year - 12) - timedelta(days=1)
    )
    client.force_login(network.referrer)
    response = client.get(URL, {"seeker": network.seeker.public_id})
    assert "Loop Legal Clinic" not in result_names(response)
    assert "Youth Jobs" not in result_names(response)
    html = response.content.decode()
    assert "2 programs hidden because Luis is not eligible (age, area or income)" in html
    assert "Show 2 more" in html
    shown = client.get(URL, {"seeker": network.seeker.public_id, "show_ineligible": "on"})
    assert "Loop Legal Clinic" in result_names(shown)
    assert "Not eligible</span>: age 12, program serves ages 18+" in shown.content.decode()


def test_another_tenant_s_seeker_is_404(client, network, directory):
    client.force_login(network.outsider)
    assert client.get(URL, {"seeker": network.seeker.public_id}).status_code == 404
    assert client.get(URL, {"seeker": "not-a-uuid"}).status_code == 404


def test_without_a_seeker_there_is_no_refer_button(client, network, directory):
    client.force_login(network.claimer)
    response = client.get(URL)
    assert response.status_code == 200
    assert ">Refer</button>" not in response.content.decode()


def test_queries_do_not_grow_with_results(client, network, directory, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(network.referrer)
    params = {"seeker": network.seeker.public_id}
    with CaptureQueriesContext(connection) as few:
        client.get(URL, params)
    for _ in range(10):
        factories.ProgramFactory(organization=network.provider, categories=[category_get_or_create(name="Food")])
    with django_assert_max_num_queries(len(few)):
        response = client.get(URL, params)
    assert len(response.context["page"].object_list) == 15


def test_a_program_with_an_open_referral_links_to_it_instead_of_refer(client, network, directory):
    referral = network.refer()
    client.force_login(network.referrer)
    response = client.get(URL, {"seeker": network.seeker.public_id, "q": "Community Food Pantry"})
    html = response.content.decode()
    assert "Luis already has an open referral here." in html
    assert f'href="{reverse("referrals:detail", args=[referral.public_id])}"' in html
    assert ">Refer</button>" not in html


def test_past_the_counting_cap_the_heading_says_more_than(client, network, directory, monkeypatch):
    from core.pagination import CappedCountPaginator

    monkeypatch.setattr(CappedCountPaginator, "count_cap", 2)
    client.force_login(network.referrer)
    html = client.get(URL, {"zip": "60601"}).content.decode()
    assert "More than 2 programs" in html
    uncapped = client.get(URL, {"zip": "60601", "q": "Loop Legal"}).content.decode()
    assert "1 program near 60601" in uncapped
