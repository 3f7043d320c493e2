"""Declined, then what? (issue 15 item 4): a decline for no room or out of area offers the referrer, in their
email and on the referral page, the nearest accepting programs of the same category in the seeker's zip code,
each one click from the Connect form filled in (as expiry does)."""

import pytest
from django.urls import reverse

from notifications.models import OutboxMessage
from programs.services import category_get_or_create
from referrals import services
from tests import factories


@pytest.fixture
def food_programs(network):
    food, legal = category_get_or_create(name="Food"), category_get_or_create(name="Legal")
    network.program.categories.add(food)
    other = factories.OrganizationFactory(name="Uptown Pantry Network", runs_site=False)
    near = factories.ProgramFactory(organization=other, name="47th Street Pantry", zip_code="60640")
    far = factories.ProgramFactory(
        organization=other, name="South Side Pantry", zip_code="60637", latitude=41.7943, longitude=-87.5907
    )
    paused = factories.ProgramFactory(organization=other, name="Paused Pantry", accepts_referrals=False)
    lawyers = factories.ProgramFactory(organization=other, name="Tenant Legal Aid")
    for program in (near, far, paused):
        program.categories.add(food)
    lawyers.categories.add(legal)
    return near, far


def _connect_url(program, seeker):
    return f"/programs/{program.public_id}/connect/?seeker={seeker.public_id}"


@pytest.mark.parametrize("reason", ["no_capacity", "out_of_area"])
def test_the_referrer_s_email_offers_the_nearest_accepting_programs_of_the_same_kind(network, food_programs, reason):
    near, far = food_programs
    referral = network.refer()
    OutboxMessage.objects.all().delete()
    services.referral_change_status(actor=network.claimer, referral=referral, to_status="declined", reason=reason)
    email = OutboxMessage.objects.get(recipient_user=network.referrer, referral=referral)
    text = email.body_text
    assert "Nearby programs of the same kind that accept referrals" in text
    assert text.index("47th Street Pantry") < text.index("South Side Pantry")
    assert _connect_url(near, network.seeker) in text and _connect_url(far, network.seeker) in text
    assert "Paused Pantry" not in text and "Tenant Legal Aid" not in text
    assert _connect_url(near, network.seeker) in email.body_html
    seeker_email = OutboxMessage.objects.get(recipient_seeker=network.seeker)
    assert "Nearby programs" not in seeker_email.body_text


def test_other_declines_offer_nothing(network, food_programs):
    referral = network.refer()
    OutboxMessage.objects.all().delete()
    services.referral_change_status(
        actor=network.claimer, referral=referral, to_status="declined", reason="not_eligible"
    )
    assert "Nearby programs" not in OutboxMessage.objects.get(recipient_user=network.referrer).body_text


def test_with_nothing_to_offer_the_email_says_so(network):
    network.program.categories.add(category_get_or_create(name="Food"))  # the only food program
    referral = network.refer()
    OutboxMessage.objects.all().delete()
    services.referral_change_status(
        actor=network.claimer, referral=referral, to_status="declined", reason="no_capacity"
    )
    text = OutboxMessage.objects.get(recipient_user=network.referrer).body_text
    assert "We found no other program of the same kind accepting referrals near the person." in text


def test_the_referral_page_offers_them_to_the_seeker_s_side_only(client, network, food_programs):
    near, far = food_programs
    referral = network.refer()
    services.referral_change_status(
        actor=network.claimer, referral=referral, to_status="declined", reason="no_capacity"
    )
    url = reverse("referrals:detail", args=[referral.public_id])
    client.force_login(network.referrer)
    html = client.get(url).content.decode()
    assert "Programs that may help instead" in html
    assert f'href="{_connect_url(near, network.seeker)}"' in html and "Refer to South Side Pantry" in html
    connect = client.get(_connect_url(near, network.seeker))
    assert connect.status_code == 200 and "Connect Luis Hernandez to 47th Street Pantry" in connect.content.decode()
    client.force_login(network.claimer)
    assert "Programs that may help instead" not in client.get(url).content.decode()


def test_the_referral_page_s_queries_stay_constant(client, network, food_programs, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    referral = network.refer()
    services.referral_change_status(
        actor=network.claimer, referral=referral, to_status="declined", reason="no_capacity"
    )
    url = reverse("referrals:detail", args=[referral.public_id])
    client.force_login(network.referrer)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    food = food_programs[0].categories.get()
    for index in range(6):
        factories.ProgramFactory(organization=food_programs[0].organization, name=f"Pantry {index}").categories.add(
            food
        )
    with django_assert_max_num_queries(len(few)):
        client.get(url)
