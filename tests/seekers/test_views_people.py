import pytest
from django.urls import reverse

from referrals.services import referral_change_status
from tests import factories

URL = reverse("seekers:people")


def names(response):
    return [seeker.full_name for seeker in response.context["page"].object_list]


def test_it_requires_sign_in(client, network):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_it_lists_the_people_this_helper_helps(client, network):
    client.force_login(network.referrer)
    response = client.get(URL)
    assert response.status_code == 200
    assert names(response) == ["Luis Hernandez"]
    html = response.content.decode()
    assert "Search people" in html
    assert "Add person" in html


def test_teammates_with_sharing_see_the_team_s_people_and_others_do_not(client, network):
    client.force_login(network.teammate)
    assert names(client.get(URL)) == ["Luis Hernandez"]
    client.force_login(network.private_worker)
    assert names(client.get(URL)) == []
    client.force_login(network.site_admin)
    assert names(client.get(URL)) == ["Luis Hernandez"]


def test_another_tenant_sees_none_of_them(client, network):
    client.force_login(network.outsider)
    response = client.get(URL)
    assert "Luis Hernandez" not in names(response)
    assert network.outsider_seeker.full_name in names(response)


def test_people_of_no_organization_and_no_program_are_refused(client, network):
    nobody = factories.UserFactory(first_name="Noel", last_name="Park")
    client.force_login(nobody)
    assert client.get(URL).status_code == 403
    assert client.get(reverse("seekers:create")).status_code == 403


def test_claimers_without_a_site_see_the_people_referred_to_their_programs(client, network):
    client.force_login(network.claimer)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["shown"] == "referred" and names(response) == []
    assert "Add person" not in response.content.decode()


def test_rows_show_open_referral_count_and_last_activity(client, network):
    network.refer()
    closed = network.refer(program=network.other_program)
    referral_change_status(
        actor=network.referrer, referral=closed, to_status="withdrawn", reason="no_longer_interested"
    )
    client.force_login(network.referrer)
    response = client.get(URL)
    row = response.context["page"].object_list[0]
    assert row.open_referrals == 1
    assert row.last_activity >= closed.sent_at
    assert "just now" in response.content.decode()


@pytest.mark.parametrize("query", ["hernan", "Luis Hernandez", "luis@example.com", "312 555", "60640"])
def test_search_by_name_email_phone_or_zip(client, network, query):
    seeker = network.seeker
    type(seeker).objects_across_tenants.filter(pk=seeker.pk).update(email="luis@example.com", phone="3125550142")
    factories.SeekerFactory(
        organization=network.site,
        created_by=network.referrer,
        first_name="Ann",
        last_name="Other",
        zip_code="60601",
        email="ann@example.com",
        phone="7735559999",
    )
    client.force_login(network.referrer)
    assert names(client.get(URL, {"q": query})) == ["Luis Hernandez"]


def test_search_never_reaches_another_tenant(client, network):
    client.force_login(network.referrer)
    assert names(client.get(URL, {"q": network.outsider_seeker.first_name})) == []


def test_htmx_search_returns_only_the_list(client, network):
    client.force_login(network.referrer)
    response = client.get(URL, {"q": "luis"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="people-list")
    html = response.content.decode()
    assert html.strip().startswith('<div id="people-list">')
    assert "Luis Hernandez" in html
    assert "<html" not in html


def test_it_paginates_by_25(client, network):
    for index in range(30):
        factories.SeekerFactory(organization=network.site, created_by=network.referrer, last_name=f"Zed{index:02}")
    client.force_login(network.referrer)
    first = client.get(URL)
    assert len(first.context["page"].object_list) == 25
    second = client.get(URL, {"page": 2})
    assert len(second.context["page"].object_list) == 6


def test_past_the_counting_cap_pages_go_on_without_a_total(client, network, monkeypatch):
    """The list never counts everyone a helper may see (a COUNT(*) over a big network): past the cap it says
    "Page 2" without "of N" and still offers the next page while there are rows."""
    from core.pagination import CappedCountPaginator

    monkeypatch.setattr(CappedCountPaginator, "count_cap", 30)
    for index in range(60):
        factories.SeekerFactory(organization=network.site, created_by=network.referrer, last_name=f"Zed{index:02}")
    client.force_login(network.referrer)
    html = client.get(URL, {"page": 2}).content.decode()
    assert "<span>Page 2</span>" in html and "Page 2 of" not in html
    assert "page=3" in html and "page=1" in html
    last = client.get(URL, {"page": 3})
    assert len(last.context["page"].object_list) == 11  # 60 + the network's own seeker, 25 per page
    assert "page=4" not in last.content.decode()
    below = client.get(URL, {"q": "Zed0"}).content.decode()  # 10 matches: counted exactly, one page
    assert "Page 1" not in below


def _people_queries(client, django_assert_max_num_queries, maximum):
    with django_assert_max_num_queries(maximum):
        response = client.get(URL)
    assert response.status_code == 200
    return response


def test_queries_do_not_grow_with_rows(client, network, django_assert_max_num_queries):
    network.refer()
    client.force_login(network.referrer)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one_row:
        client.get(URL)
    for _ in range(12):
        seeker = factories.SeekerFactory(organization=network.site, created_by=network.referrer)
        network.refer(seeker=seeker)
        network.refer(seeker=seeker, program=network.other_program)
    response = _people_queries(client, django_assert_max_num_queries, len(one_row))
    assert len(response.context["page"].object_list) == 13


def test_add_person_creates_a_profile_for_the_helper_s_site(client, network):
    client.force_login(network.referrer)
    assert client.get(reverse("seekers:create")).status_code == 200
    response = client.post(
        reverse("seekers:create"),
        {
            "first_name": "Rosa",
            "last_name": "Martinez",
            "date_of_birth": "1980-02-03",
            "zip_code": "60623",
            "email": "Rosa@Example.com",
            "phone": "(312) 555-0199",
            "preferred_language": "es",
            "contact_preference": "phone",
        },
    )
    from seekers.models import Seeker

    rosa = Seeker.objects.restrict(network.referrer, "view").get(first_name="Rosa")
    assert response.status_code == 302
    assert response["Location"] == reverse("seekers:profile", args=[rosa.public_id])
    assert rosa.organization == network.site
    assert rosa.team == network.sharing_team
    assert rosa.phone == "+13125550199"
    assert rosa.email == "rosa@example.com"
    client.force_login(network.teammate)
    assert "Rosa Martinez" in names(client.get(URL))


def test_add_person_with_bad_input_shows_messages_and_creates_nothing(client, network):
    client.force_login(network.referrer)
    response = client.post(
        reverse("seekers:create"),
        {
            "first_name": "Rosa",
            "zip_code": "6062",
            "email": "not-an-email",
            "phone": "555",
            "date_of_birth": "2999-01-01",
            "preferred_language": "es",
            "contact_preference": "phone",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a five-digit zip code" in html
    assert "Enter a valid email address" in html
    assert "ten-digit phone number" in html
    assert "cannot be in the future" in html
    from seekers.models import Seeker

    assert not Seeker.objects.restrict(network.referrer, "view").filter(first_name="Rosa").exists()


@pytest.mark.parametrize("query", ["773-555-1000", "(773) 555 1000", "1 773 555 1000", "5551000"])
def test_phone_search_ignores_formatting_on_both_sides(client, network, query):
    type(network.seeker).objects_across_tenants.filter(pk=network.seeker.pk).update(phone="(773) 555-1000")
    client.force_login(network.referrer)
    assert names(client.get(URL, {"q": query})) == ["Luis Hernandez"]


def test_a_status_change_or_a_note_moves_the_person_to_the_top(client, network):
    from datetime import timedelta

    from django.utils import timezone

    from referrals.services import note_add

    other = factories.SeekerFactory(
        organization=network.site, created_by=network.referrer, first_name="Ann", last_name="Other"
    )
    older = network.refer()
    newer = network.refer(seeker=other)
    Seeker = type(other)
    long_ago = timezone.now() - timedelta(days=30)
    Seeker.objects_across_tenants.filter(pk=network.seeker.pk).update(last_activity_at=long_ago)
    Seeker.objects_across_tenants.filter(pk=other.pk).update(last_activity_at=long_ago + timedelta(days=1))
    client.force_login(network.referrer)
    assert names(client.get(URL)) == ["Ann Other", "Luis Hernandez"]
    referral_change_status(actor=network.referrer, referral=older, to_status="withdrawn", reason="no_longer_interested")
    assert names(client.get(URL)) == ["Luis Hernandez", "Ann Other"]
    note_add(actor=network.referrer, referral=newer, body="Called her back.")
    response = client.get(URL)
    assert names(response) == ["Ann Other", "Luis Hernandez"]
    assert [row.open_referrals for row in response.context["page"].object_list] == [1, 0]
