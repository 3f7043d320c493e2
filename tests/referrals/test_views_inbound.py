import re
from datetime import timedelta

import pytest
from django.utils import timezone

from referrals.models import Referral
from referrals.services import referral_change_status
from tests import factories


def page(client, user, **params):
    client.force_login(user)
    response = client.get("/inbound/", params)
    assert response.status_code == 200
    return response.content.decode()


def rows(html):
    """The people listed, in order."""
    return re.findall(r'<a href="/referrals/[0-9a-f-]+/">([^<]+)</a>', html)


def new_seeker(network, name):
    first, last = name.split()
    return factories.SeekerFactory(
        organization=network.site, created_by=network.referrer, first_name=first, last_name=last
    )


def backdate(referral, **ago):
    Referral.objects_across_tenants.filter(pk=referral.pk).update(sent_at=timezone.now() - timedelta(**ago))


def test_it_requires_sign_in(client):
    response = client.get("/inbound/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_claimers_see_referrals_to_their_programs_only(network, client):
    network.refer()
    other = network.refer(program=network.other_program, seeker=new_seeker(network, "Mei Chen"))
    assert rows(page(client, network.claimer)) == ["Luis Hernandez"]
    assert rows(page(client, network.other_claimer)) == ["Mei Chen"]
    assert set(rows(page(client, network.provider_admin))) == {"Luis Hernandez", "Mei Chen"}
    outsider_page = page(client, network.outsider)
    assert rows(outsider_page) == [] and "You do not claim any programs" in outsider_page
    # The referrer sees the referral elsewhere, not as inbound.
    assert rows(page(client, network.referrer)) == []
    assert str(other.public_id) not in page(client, network.claimer)


def test_urgent_first_then_oldest_first(network, client):
    old = network.refer(seeker=new_seeker(network, "Old Routine"))
    backdate(old, days=5)
    network.refer(seeker=new_seeker(network, "New Routine"))
    urgent = network.refer(seeker=new_seeker(network, "New Urgent"), urgency="urgent")
    older_urgent = network.refer(seeker=new_seeker(network, "Older Urgent"), urgency="urgent")
    backdate(older_urgent, days=1)
    assert urgent
    assert rows(page(client, network.claimer)) == ["Older Urgent", "New Urgent", "Old Routine", "New Routine"]


def test_unanswered_referrals_past_the_expected_response_time_are_overdue(network, client):
    network.program.expected_response_hours = 24
    network.program.save()
    late = network.refer(seeker=new_seeker(network, "Late Sent"))
    backdate(late, hours=30)
    answered = network.refer(seeker=new_seeker(network, "Late Accepted"))
    referral_change_status(actor=network.claimer, referral=answered, to_status="accepted")
    backdate(answered, hours=30)
    network.refer(seeker=new_seeker(network, "Recent Sent"))
    html = page(client, network.claimer)
    overdue = re.findall(
        r'>([^<]+)</a>\s*(?:<span class="badge badge-bad">Urgent</span>\s*)?'
        r'<span class="badge badge-warn">Overdue</span>',
        html,
    )
    assert overdue == ["Late Sent"]


def test_the_not_updated_count_counts_unopened_referrals(network, client):
    network.refer()
    viewed = network.refer(seeker=new_seeker(network, "Mei Chen"))
    network.refer(seeker=new_seeker(network, "Tom Kowalski"))
    from referrals.services import referral_mark_viewed

    referral_mark_viewed(actor=network.claimer, referral=viewed)
    assert "2 Not updated" in page(client, network.claimer)


@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, {"Luis Hernandez", "Mei Chen", "Tom Kowalski"}),
        ({"status": "all"}, {"Luis Hernandez", "Mei Chen", "Tom Kowalski", "Closed Case"}),
        ({"status": "accepted"}, {"Mei Chen"}),
        ({"urgency": "urgent"}, {"Tom Kowalski"}),
        ({"assignee": "me"}, {"Mei Chen"}),
        ({"assignee": "unassigned"}, {"Luis Hernandez", "Tom Kowalski"}),
        ({"older_than_days": "3"}, {"Luis Hernandez"}),
        ({"older_than_days": "0", "urgency": "routine"}, {"Luis Hernandez", "Mei Chen"}),
    ],
)
def test_filters(network, client, params, expected):
    from referrals.services import referral_assign

    old = network.refer()
    backdate(old, days=4)
    accepted = network.refer(seeker=new_seeker(network, "Mei Chen"))
    referral_change_status(actor=network.claimer, referral=accepted, to_status="accepted")
    referral_assign(actor=network.claimer, referral=accepted, assignee=network.claimer)
    network.refer(seeker=new_seeker(network, "Tom Kowalski"), urgency="urgent")
    closed = network.refer(seeker=new_seeker(network, "Closed Case"))
    referral_change_status(actor=network.claimer, referral=closed, to_status="declined", reason="no_capacity")
    assert set(rows(page(client, network.claimer, **params))) == expected


def test_the_program_filter(network, client):
    network.refer()
    network.refer(program=network.other_program, seeker=new_seeker(network, "Mei Chen"))
    html = page(client, network.provider_admin, program=str(network.other_program.public_id))
    assert rows(html) == ["Mei Chen"]


@pytest.mark.parametrize(
    "params",
    [
        {"older_than_days": "-1"},
        {"older_than_days": "abc"},
        {"status": "nonsense"},
        {"program": "not-a-program"},
        {"page": "x"},
        {"older_than_days": "9" * 30},
    ],
)
def test_bad_filters_get_a_message_not_an_error(network, client, params):
    network.refer()
    html = page(client, network.claimer, **params)
    assert rows(html) == ["Luis Hernandez"]
    if "page" not in params:
        assert 'class="errorlist"' in html


def test_another_program_of_the_same_provider_cannot_be_chosen_by_its_non_claimer(network, client):
    network.refer(program=network.other_program)
    html = page(client, network.claimer, program=str(network.other_program.public_id))
    assert rows(html) == [] and 'class="errorlist"' in html


def test_pages_of_25(network, client):
    for index in range(27):
        referral = network.refer(seeker=new_seeker(network, f"Person N{index:02d}"))
        backdate(referral, hours=100 - index)
    first = page(client, network.claimer)
    assert len(rows(first)) == 25 and "Showing 1–25 of 27" in first
    assert 'rel="next"' in first
    second = page(client, network.claimer, page="2")
    assert rows(second) == ["Person N25", "Person N26"] and 'rel="next"' not in second


def test_a_page_past_the_end_says_so_and_links_the_first_page(network, client):
    network.refer()
    html = page(client, network.claimer, page="99")
    assert rows(html) == []
    assert "There are no referrals on page 99" in html and "No referrals match" not in html
    assert '<a href="?page=1">Go to the first page</a> (1 referral)' in html
    empty = page(client, network.claimer, page="99", urgency="urgent")  # nothing matches at all
    assert "No referrals match these filters" in empty and "page 99" not in empty


def test_the_query_count_does_not_grow_with_the_rows(network, client, django_assert_max_num_queries):
    network.refer()
    client.force_login(network.claimer)
    with django_assert_max_num_queries(100) as few:
        client.get("/inbound/")
    for index in range(15):
        network.refer(seeker=new_seeker(network, f"Person N{index:02d}"), urgency="urgent" if index % 2 else "routine")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/inbound/")
    assert len(rows(response.content.decode())) == 16


def test_the_list_fragment_is_the_list_alone(network, client):
    network.refer()
    client.force_login(network.claimer)
    response = client.get("/inbound/rows/", {"urgency": "routine"})
    html = response.content.decode()
    assert rows(html) == ["Luis Hernandez"] and "<html" not in html
    # Its forms come back to the page, not to the fragment.
    assert 'name="next" value="/inbound/?urgency=routine"' in html


def test_the_page_lists_live_and_links_each_claimed_program(network, client):
    html = page(client, network.claimer)
    assert "data-live-list" in html and 'hx-trigger="live-changed"' in html
    assert f"/programs/{network.program.public_id}/manage/" in html
    assert f"/programs/{network.other_program.public_id}/manage/" not in html


def test_kept_rows_show_what_is_true_now_and_each_claimer_their_own_part(network, client):
    """Rows are kept across requests by what they print (core.jinja2.keep): a change that leaves the referral's
    version alone (the seeker's name, the program's, a colleague's) shows at once, and each claimer sees themselves
    as "Me" and gets their own page's token."""
    from seekers.models import Seeker

    colleague = factories.claimer(network.program, first_name="Kim", last_name="Bauer")
    referral = network.refer()
    first = page(client, network.claimer)
    assert "Luis Hernandez" in first and "Me (Sam O.)</option>" in first and ">Kim B.</option>" in first
    Seeker.objects_across_tenants.filter(pk=referral.seeker_id).update(first_name="Luisa")
    network.program.name = "Renamed Pantry"
    network.program.save(update_fields=["name"])
    colleague.last_name = "Young"
    colleague.save(update_fields=["last_name"])
    again = page(client, network.claimer)
    assert rows(again) == ["Luisa Hernandez"] and "Renamed Pantry" in again and ">Kim Y.</option>" in again
    theirs = page(client, colleague)
    assert "Me (Kim Y.)</option>" in theirs and ">Sam O.</option>" in theirs
    tokens = {re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1) for html in (again, theirs)}
    assert len(tokens) == 2


class TestAssign:
    def post(self, client, user, referral, **data):
        client.force_login(user)
        return client.post(f"/inbound/{referral.public_id}/assign/", data)

    def test_a_claimer_assigns_to_themselves_and_it_is_recorded(self, network, client):
        referral = network.refer()
        response = self.post(
            client,
            network.claimer,
            referral,
            assignee=str(network.claimer.public_id),
            expected_version=referral.version,
            next="/inbound/?urgency=routine",
        )
        assert response.status_code == 302 and response["Location"] == "/inbound/?urgency=routine"
        referral.refresh_from_db()
        assert referral.assigned_to == network.claimer
        event = referral.events.get(kind="assignment_changed")
        assert event.actor_display == "Sam O." and event.detail["to"] == "Sam O."
        assert "Me (Sam O.)</option>" in page(client, network.claimer, assignee="me")

    def test_to_another_claimer_and_back_to_nobody(self, network, client):
        colleague = factories.claimer(network.program, first_name="Kim", last_name="Bauer")
        referral = network.refer()
        self.post(client, network.claimer, referral, assignee=str(colleague.public_id))
        referral.refresh_from_db()
        assert referral.assigned_to == colleague
        self.post(client, network.claimer, referral, assignee="")
        referral.refresh_from_db()
        assert referral.assigned_to is None

    def test_only_to_the_programs_claimers(self, network, client):
        referral = network.refer()
        for assignee in [network.other_claimer.public_id, network.referrer.public_id, "not-a-uuid"]:
            response = self.post(client, network.claimer, referral, assignee=str(assignee))
            assert response.status_code == 400
            assert "only be assigned to the program&#x27;s claimers" in response.content.decode()
        referral.refresh_from_db()
        assert referral.assigned_to is None

    def test_another_tenant_gets_404(self, network, client):
        referral = network.refer()
        assert self.post(client, network.outsider, referral, assignee="").status_code == 404
        assert self.post(client, network.other_claimer, referral, assignee="").status_code == 404

    def test_a_referrer_who_sees_it_gets_403(self, network, client):
        referral = network.refer()
        response = self.post(client, network.referrer, referral, assignee=str(network.claimer.public_id))
        assert response.status_code == 403
        referral.refresh_from_db()
        assert referral.assigned_to is None

    def test_a_stale_form_says_so_and_changes_nothing(self, network, client):
        referral = network.refer()
        referral_change_status(actor=network.claimer, referral=referral, to_status="accepted")
        response = self.post(
            client,
            network.claimer,
            referral,
            assignee=str(network.claimer.public_id),
            expected_version=referral.version,
        )
        assert response.status_code == 302
        referral.refresh_from_db()
        assert referral.assigned_to is None
        assert "changed since you opened the page" in client.get(response["Location"]).content.decode()

    def test_an_unsafe_next_goes_back_to_the_inbox(self, network, client):
        referral = network.refer()
        response = self.post(client, network.claimer, referral, assignee="", next="https://evil.example/")
        assert response["Location"] == "/inbound/"

    def test_get_is_not_allowed(self, network, client):
        referral = network.refer()
        client.force_login(network.claimer)
        assert client.get(f"/inbound/{referral.public_id}/assign/").status_code == 405
