"""People I'm Helping and the seeker's profile, seen by a program (issue 15 item 1): a claimer lists the people
referred to the programs they work and opens their profile, which shows the Inbound Referrals section and only
what those referrals share."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from privacy.models import AccessRecord
from programs.services import program_add_claimer
from referrals import services
from referrals.models import Referral
from tests import factories

URL = reverse("seekers:people")


def names(response):
    return [seeker.full_name for seeker in response.context["page"].object_list]


def profile_url(seeker):
    return reverse("seekers:profile", args=[seeker.public_id])


@pytest.fixture
def luis(network):
    """Luis, with contact details, a birth date and a goal at the site that helps him."""
    seeker = network.seeker
    type(seeker).objects_across_tenants.filter(pk=seeker.pk).update(
        email="luis@example.com", phone="3125550142", date_of_birth=date(1961, 3, 14), preferred_language="es"
    )
    seeker.refresh_from_db()
    factories.GoalFactory(seeker=seeker, title="Find stable housing GOAL-MARKER")
    return seeker


def _someone(network, first_name, last_name, **fields):
    return factories.SeekerFactory(
        organization=network.site, created_by=network.referrer, first_name=first_name, last_name=last_name, **fields
    )


# --- People I'm Helping ------------------------------------------------------------------------------------


def test_a_claimer_lists_the_people_referred_to_their_programs_open_first_then_recent(client, network, luis):
    ann = _someone(network, "Ann", "Other")
    bo = _someone(network, "Bo", "Closed")
    cy = _someone(network, "Cy", "Elsewhere")
    network.refer()
    network.refer(seeker=ann)
    closed = network.refer(seeker=bo)
    services.referral_change_status(actor=network.claimer, referral=closed, to_status="declined", reason="no_capacity")
    network.refer(seeker=cy, program=network.other_program)  # not a program Sam works
    Referral.objects.unscoped("test").filter(seeker=ann).update(updated_at=timezone.now() - timedelta(days=3))
    client.force_login(network.claimer)
    response = client.get(URL)
    assert response.status_code == 200
    assert names(response) == ["Luis Hernandez", "Ann Other", "Bo Closed"]  # Bo's only referral is closed
    assert [seeker.open_referrals for seeker in response.context["page"].object_list] == [1, 1, 0]
    assert "Cy Elsewhere" not in response.content.decode()
    client.force_login(network.other_claimer)
    assert names(client.get(URL)) == ["Cy Elsewhere"]


def test_a_person_is_listed_only_through_a_referral_the_claimer_holds_a_grant_on(client, network, luis):
    """The list groups the programs' referrals without probing each one's grants ("receive:ids"), then reads its
    page's people through their referrals' grants: a referral whose grants were taken away by hand shows nobody."""
    from referrals.models import ReferralGroupObjectPermission, ReferralUserObjectPermission

    network.refer()
    hidden = network.refer(seeker=_someone(network, "Hidden", "Person"))
    ReferralGroupObjectPermission.objects.filter(content_object=hidden).delete()
    ReferralUserObjectPermission.objects.filter(content_object=hidden).delete()
    client.force_login(network.claimer)
    response = client.get(URL)
    assert names(response) == ["Luis Hernandez"]
    assert "Hidden" not in response.content.decode()


def test_the_provider_s_admin_lists_the_people_referred_to_all_its_programs(client, network, luis):
    network.refer()
    network.refer(seeker=_someone(network, "Cy", "Elsewhere"), program=network.other_program)
    client.force_login(network.provider_admin)
    assert sorted(names(client.get(URL))) == ["Cy Elsewhere", "Luis Hernandez"]


def test_contact_details_show_while_consent_holds(client, network, luis):
    referral = network.refer()
    client.force_login(network.claimer)
    html = client.get(URL).content.decode()
    assert "luis@example.com" in html and "312-555-0142" in html
    services.referral_withdraw_consent(actor=network.referrer, referral=referral)
    html = client.get(URL).content.decode()
    assert "Luis Hernandez" in html
    assert "luis@example.com" not in html and "555-0142" not in html and "Not shared" in html


@pytest.mark.parametrize("query", ["hernan", "Luis Hernandez", "luis@example.com", "312 555", "60640"])
def test_search_by_name_and_shared_contact_details(client, network, luis, query):
    network.refer()
    other = _someone(network, "Ann", "Other", zip_code="60601", email="ann@example.com", phone="7735559999")
    network.refer(seeker=other)
    client.force_login(network.claimer)
    assert names(client.get(URL, {"q": query})) == ["Luis Hernandez"]


def test_search_does_not_match_contact_details_no_longer_shared(client, network, luis):
    referral = network.refer()
    services.referral_withdraw_consent(actor=network.referrer, referral=referral)
    client.force_login(network.claimer)
    assert names(client.get(URL, {"q": "hernandez"})) == ["Luis Hernandez"]
    for query in ("luis@example.com", "3125550142", "60640"):
        assert names(client.get(URL, {"q": query})) == [], query


def test_search_never_reaches_people_of_other_programs_or_tenants(client, network, luis):
    network.refer(program=network.other_program)
    client.force_login(network.claimer)
    assert names(client.get(URL, {"q": "Luis"})) == []
    assert names(client.get(URL, {"q": network.outsider_seeker.first_name})) == []


def test_a_worker_who_also_claims_sees_both_lists(client, network, luis):
    network.refer()
    ann = _someone(network, "Ann", "Helped")  # Maria's, not shared with James's team? (the team shares)
    program_add_claimer(program=network.other_program, user=network.private_worker)
    network.refer(seeker=ann, program=network.other_program)
    client.force_login(network.private_worker)
    helping = client.get(URL)
    assert helping.context["shown"] == "helping" and names(helping) == []
    html = helping.content.decode()
    assert "Referred to my programs" in html and "Add person" in html
    referred = client.get(URL, {"show": "referred"})
    assert referred.context["shown"] == "referred" and names(referred) == ["Ann Helped"]
    htmx = client.get(URL, {"show": "referred", "q": "ann"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="people-list")
    assert htmx.content.decode().strip().startswith('<div id="people-list">') and "Ann Helped" in htmx.content.decode()


def test_a_helper_s_list_is_unchanged(client, network, luis):
    network.refer()
    client.force_login(network.referrer)
    response = client.get(URL, {"show": "referred"})  # Maria works no program: her own list
    assert response.context["shown"] == "helping" and names(response) == ["Luis Hernandez"]
    assert "Referred to my programs" not in response.content.decode()


def test_the_referred_list_queries_do_not_grow_with_rows(client, network, luis, django_assert_max_num_queries):
    network.refer()
    client.force_login(network.claimer)
    with CaptureQueriesContext(connection) as one_row:
        client.get(URL)
    for index in range(12):
        seeker = _someone(network, "Person", f"Number{index:02}")
        services.note_add(actor=network.claimer, referral=network.refer(seeker=seeker), body="Called")
        network.refer(seeker=seeker, program=factories.ProgramFactory(organization=network.provider))
    with django_assert_max_num_queries(len(one_row)):
        response = client.get(URL)
    assert len(response.context["page"].object_list) == 13
    with django_assert_max_num_queries(len(one_row) + 1):  # the search's words
        assert len(client.get(URL, {"q": "Number"}).context["page"].object_list) == 12


# --- The profile, as a program sees it ---------------------------------------------------------------------


def test_a_claimer_sees_the_inbound_referrals_section_and_only_what_it_shares(client, network, luis):
    mine = network.refer(comment="Needs groceries for four.")
    theirs = network.refer(program=network.other_program, comment="OTHER-REFERRAL-MARKER")
    services.note_add(actor=network.referrer, referral=theirs, body="OTHER-NOTE-MARKER")
    services.note_add(actor=network.referrer, referral=mine, body="Called him on Monday.")
    client.force_login(network.claimer)
    response = client.get(profile_url(luis))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Luis Hernandez</h1>" in html and "Inbound Referrals" in html
    assert list(response.context["inbound"]) == [mine]
    assert "Community Food Pantry" in html and "Needs groceries for four." in html and "Called him on Monday." in html
    assert "luis@example.com" in html and "312-555-0142" in html and "Español" in html
    for hidden in (
        "Mobile Food Market",
        "OTHER-REFERRAL-MARKER",
        "OTHER-NOTE-MARKER",
        "GOAL-MARKER",
        "1961",
        "Date of birth",
        "Navigation history",
        "Start a referral",
        "Edit",
    ):
        assert hidden not in html, hidden
    assert AccessRecord.objects.for_organization(network.site).filter(user=network.claimer, seeker=luis).exists()


def test_consent_withdrawn_leaves_the_name_only(client, network, luis):
    referral = network.refer()
    services.referral_withdraw_consent(actor=network.referrer, referral=referral)
    client.force_login(network.claimer)
    html = client.get(profile_url(luis)).content.decode()
    assert (
        "Luis Hernandez" in html and "Only the name is shared: consent to share contact details was withdrawn" in html
    )
    for hidden in ("luis@example.com", "555-0142", "Español", "60640"):
        assert hidden not in html, hidden


def test_a_person_who_asked_not_to_be_contacted_shows_the_name_only(client, network, luis):
    type(luis).objects_across_tenants.filter(pk=luis.pk).update(contact_preference="do_not_contact")
    network.refer()
    client.force_login(network.claimer)
    html = client.get(profile_url(luis)).content.decode()
    assert "the person asked not to be contacted" in html and "luis@example.com" not in html


def test_the_claimer_works_the_referral_in_place(client, network, luis):
    referral = network.refer()
    client.force_login(network.claimer)
    url = reverse("seekers:referral", args=[luis.public_id, referral.public_id])
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Inbound Referrals" in html and f'data-live-referral="{referral.public_id}"' in html
    assert "GOAL-MARKER" not in html
    referral.refresh_from_db()
    assert referral.status == "viewed"  # the claimer's first look
    assert (
        client.post(
            reverse("referrals:status", args=[referral.public_id]),
            {"to_status": "accepted", "version": referral.version},
        ).status_code
        == 302
    )
    referral.refresh_from_db()
    assert referral.status == "accepted"
    history = client.get(url).content.decode()
    assert "Sam O." in history and "Accepted" in history
    inbound = client.get(reverse("seekers:inbound_list", args=[luis.public_id])).content.decode()
    assert "Community Food Pantry" in inbound and "Accepted" in inbound


def test_a_helper_s_profile_keeps_navigation_history_and_gains_nothing(client, network, luis):
    network.refer()
    client.force_login(network.referrer)
    html = client.get(profile_url(luis)).content.decode()
    assert "Navigation history" in html and "GOAL-MARKER" in html and "Shared with your programs" not in html


@pytest.mark.parametrize("who", ["other_claimer", "outsider", "outsider_admin"])
def test_people_of_other_programs_and_tenants_are_not_found(client, network, luis, who):
    referral = network.refer()
    client.force_login(getattr(network, who))
    assert client.get(profile_url(luis)).status_code == 404
    assert client.get(reverse("seekers:referral", args=[luis.public_id, referral.public_id])).status_code == 404
    assert client.get(reverse("seekers:inbound_list", args=[luis.public_id])).status_code == 404


def test_a_claimer_cannot_edit_the_profile_or_read_its_navigation_history(client, network, luis):
    network.refer()
    client.force_login(network.claimer)
    assert client.get(reverse("seekers:edit", args=[luis.public_id])).status_code == 404
    assert client.post(reverse("seekers:edit", args=[luis.public_id]), {"first_name": "X"}).status_code == 404
    assert client.get(reverse("seekers:outbound_list", args=[luis.public_id])).status_code == 404
    luis.refresh_from_db()
    assert luis.first_name == "Luis"


def test_the_received_profile_queries_do_not_grow_with_referrals(client, network, luis, django_assert_max_num_queries):
    network.refer()
    client.force_login(network.claimer)
    with CaptureQueriesContext(connection) as few:
        client.get(profile_url(luis))
    for index in range(8):
        program = factories.ProgramFactory(organization=network.provider)
        program_add_claimer(program=program, user=network.claimer)
        referral = network.refer(program=program)
        services.note_add(actor=network.claimer, referral=referral, body=f"Note {index}")
    with django_assert_max_num_queries(len(few)):
        response = client.get(profile_url(luis))
    assert len(response.context["inbound"]) == 9


def test_the_referred_list_pages_with_its_count_in_the_page_s_query(client, network, luis, monkeypatch):
    """core.pagination.WindowCountPaginator: the whole count comes with the page's rows (no count query of its
    own), a page past the end answers the last page, a page that is not a number the first."""
    monkeypatch.setattr("people.views.PEOPLE_PER_PAGE", 2)
    network.refer()
    for index in range(4):
        network.refer(seeker=_someone(network, "Person", f"Number{index:02}"))
    client.force_login(network.claimer)
    with CaptureQueriesContext(connection) as queries:
        first = client.get(URL)
    assert first.context["page"].paginator.count == 5 and first.context["page"].paginator.num_pages == 3
    assert "Page 1 of 3" in first.content.decode()
    assert not [q for q in queries.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]
    assert "COUNT(*) OVER ()" in " ".join(q["sql"] for q in queries.captured_queries)
    seen = [names(client.get(URL, {"page": number})) for number in (1, 2, 3)]
    assert [len(page) for page in seen] == [2, 2, 1]
    assert sorted(sum(seen, [])) == sorted({*sum(seen, [])})  # each person once
    past = client.get(URL, {"page": 40})
    assert past.context["page"].number == 3 and names(past) == seen[2]
    assert client.get(URL, {"page": "x"}).context["page"].number == 1
    assert client.get(URL, {"page": "-2"}).context["page"].number == 3  # as Django's get_page: the last
    nobody = client.get(URL, {"q": "Nobody-by-that-name"})
    assert nobody.status_code == 200 and names(nobody) == [] and nobody.context["page"].paginator.count == 0
