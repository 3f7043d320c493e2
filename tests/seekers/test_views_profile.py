import html as html_lib

import pytest
from django.urls import reverse

from goals.models import Goal
from referrals.services import referral_change_status
from tests import factories


def profile_url(seeker):
    return reverse("seekers:profile", args=[seeker.public_id])


def test_helpers_of_the_seeker_see_the_profile(client, network):
    for user in (network.referrer, network.teammate, network.site_admin):
        client.force_login(user)
        response = client.get(profile_url(network.seeker))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Luis Hernandez" in html
        assert "Navigation history" in html
        assert "Start a referral" in html


@pytest.mark.parametrize("who", ["outsider", "outsider_admin", "private_worker", "claimer", "provider_admin"])
def test_everyone_else_gets_404(client, network, who):
    client.force_login(getattr(network, who))
    assert client.get(profile_url(network.seeker)).status_code == 404
    assert client.get(reverse("seekers:edit", args=[network.seeker.public_id])).status_code == 404
    assert client.get(reverse("seekers:outbound_list", args=[network.seeker.public_id])).status_code == 404


def test_start_a_referral_opens_the_search_in_the_seeker_s_zip_code(client, network):
    client.force_login(network.referrer)
    html = client.get(profile_url(network.seeker)).content.decode()
    assert f'action="{reverse("programs:search")}"' in html
    assert f'name="seeker" value="{network.seeker.public_id}"' in html
    assert 'name="zip" value="60640"' in html


def test_outbound_referrals_newest_first_with_status(client, network):
    first = network.refer()
    second = network.refer(program=network.other_program)
    referral_change_status(actor=network.claimer, referral=first, to_status="accepted")
    client.force_login(network.referrer)
    response = client.get(profile_url(network.seeker))
    assert list(response.context["outbound"]) == [second, first]
    html = response.content.decode()
    assert html.index("Mobile Food Market") < html.index("Community Food Pantry")
    assert "Accepted" in html and "Not updated" in html


def test_lists_carry_the_live_update_hooks(client, network):
    network.refer()
    client.force_login(network.referrer)
    html = client.get(profile_url(network.seeker)).content.decode()
    outbound_url = reverse("seekers:outbound_list", args=[network.seeker.public_id])
    assert f'data-live-list hx-get="{outbound_url}"' in html
    assert 'hx-trigger="live-changed"' in html
    fragment = client.get(outbound_url).content.decode()
    assert fragment.strip().startswith('<div id="outbound-referrals" data-live-list')
    assert "Community Food Pantry" in fragment


def test_inbound_section_lists_referrals_to_programs_the_user_claims(client, network):
    from programs.services import program_add_claimer

    referral = network.refer()
    network.refer(program=network.other_program)
    program_add_claimer(program=network.program, user=network.teammate)  # a worker who is also a claimer
    client.force_login(network.teammate)
    response = client.get(profile_url(network.seeker))
    assert list(response.context["inbound"]) == [referral]
    assert "Inbound referrals" in response.content.decode()
    inbound = client.get(reverse("seekers:inbound_list", args=[network.seeker.public_id])).content.decode()
    assert "Community Food Pantry" in inbound and "Mobile Food Market" not in inbound


def test_edit_saves_valid_personal_information(client, network):
    client.force_login(network.referrer)
    url = reverse("seekers:edit", args=[network.seeker.public_id])
    response = client.post(
        url,
        {
            "first_name": "Luis",
            "last_name": "Hernández",
            "date_of_birth": "1990-05-01",
            "zip_code": "60623",
            "email": "luis@example.com",
            "phone": "312.555.0142",
            "preferred_language": "es",
            "contact_preference": "text",
        },
    )
    assert response.status_code == 302
    network.seeker.refresh_from_db()
    assert network.seeker.last_name == "Hernández"
    assert network.seeker.zip_code == "60623"
    assert network.seeker.phone == "+13125550142"
    assert "312-555-0142" in client.get(profile_url(network.seeker)).content.decode()


def test_a_well_formed_zip_code_we_cannot_place_is_kept_with_a_warning(client, network):
    client.force_login(network.referrer)
    response = client.post(
        reverse("seekers:edit", args=[network.seeker.public_id]),
        {
            "first_name": "Luis",
            "last_name": "Hernandez",
            "date_of_birth": "",
            "zip_code": "99999",
            "email": "luis@example.com",
            "phone": "",
            "preferred_language": "en",
            "contact_preference": "email",
        },
        follow=True,
    )
    network.seeker.refresh_from_db()
    assert network.seeker.zip_code == "99999"
    html = response.content.decode()
    assert "Personal information saved." in html
    assert "We have no map location for zip code 99999: check it is right." in html


def test_a_zip_code_we_can_place_gets_no_warning(client, network):
    client.force_login(network.referrer)
    response = client.post(
        reverse("seekers:edit", args=[network.seeker.public_id]),
        {
            "first_name": "Luis",
            "last_name": "Hernandez",
            "date_of_birth": "",
            "zip_code": "60623",
            "email": "luis@example.com",
            "phone": "",
            "preferred_language": "en",
            "contact_preference": "email",
        },
        follow=True,
    )
    assert "Personal information saved." in response.content.decode()
    assert "no map location" not in response.content.decode()


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("zip_code", "606401", "Enter a five-digit zip code"),
        ("zip_code", "abcde", "Enter a five-digit zip code"),
        ("email", "luis@", "Enter a valid email address"),
        ("phone", "call me", "only digits"),
        ("phone", "12345", "ten-digit phone number"),
        ("date_of_birth", "2999-01-01", "cannot be in the future"),
        ("date_of_birth", "1850-01-01", "Check the year"),
        ("date_of_birth", "31/31/1990", "Enter a valid date"),
        ("first_name", "   ", "Enter a first name"),
    ],
)
def test_edit_with_invalid_input_changes_nothing(client, network, field, value, message):
    client.force_login(network.referrer)
    data = {
        "first_name": "Changed",
        "last_name": "Name",
        "date_of_birth": "",
        "zip_code": "60601",
        "email": "",
        "phone": "",
        "preferred_language": "en",
        "contact_preference": "email",
        field: value,
    }
    response = client.post(reverse("seekers:edit", args=[network.seeker.public_id]), data)
    assert response.status_code == 400
    assert message in html_lib.unescape(response.content.decode())
    network.seeker.refresh_from_db()
    assert network.seeker.last_name == "Hernandez"
    assert network.seeker.zip_code == "60640"


def test_another_tenant_cannot_edit(client, network):
    client.force_login(network.outsider)
    response = client.post(
        reverse("seekers:edit", args=[network.seeker.public_id]),
        {"first_name": "Hacked", "preferred_language": "en", "contact_preference": "email"},
    )
    assert response.status_code == 404
    network.seeker.refresh_from_db()
    assert network.seeker.first_name == "Luis"


def test_names_are_escaped(client, network):
    type(network.seeker).objects_across_tenants.filter(pk=network.seeker.pk).update(
        last_name="<script>alert(1)</script>"
    )
    client.force_login(network.referrer)
    html = client.get(profile_url(network.seeker)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_profile_queries_do_not_grow_with_rows(client, network, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    network.refer()
    factories.GoalFactory(seeker=network.seeker)
    client.force_login(network.referrer)
    with CaptureQueriesContext(connection) as few:
        client.get(profile_url(network.seeker))
    for _ in range(8):
        program = factories.ProgramFactory(organization=network.provider)
        goal = factories.GoalFactory(seeker=network.seeker)
        network.refer(program=program, goal=goal)
    with django_assert_max_num_queries(len(few)):
        response = client.get(profile_url(network.seeker))
    assert len(response.context["outbound"]) == 9
    assert len(response.context["open_goals"]) == 9


def test_goals_are_listed_open_and_closed(client, network):
    factories.GoalFactory(seeker=network.seeker, title="Find stable housing")
    factories.GoalFactory(seeker=network.seeker, title="Old goal", status=Goal.Status.CLOSED)
    client.force_login(network.referrer)
    response = client.get(profile_url(network.seeker))
    assert [goal.title for goal in response.context["open_goals"]] == ["Find stable housing"]
    assert [goal.title for goal in response.context["closed_goals"]] == ["Old goal"]
