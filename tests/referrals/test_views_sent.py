"""Sent referrals (/sent/): the referrer's dashboard, what needs them first."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from referrals.models import Referral
from tests import factories

pytestmark = pytest.mark.django_db


def page(client, user, path="/sent/", **params):
    client.force_login(user)
    response = client.get(path, params)
    assert response.status_code == 200
    return response.content.decode()


def people(html):
    """The people listed, in order."""
    return re.findall(r'<a href="/referrals/[0-9a-f-]+/">([^<]+)</a>', html)


def person(network, name, **fields):
    first, last = name.split()
    return factories.SeekerFactory(
        organization=network.site, created_by=network.referrer, first_name=first, last_name=last, **fields
    )


def set_state(referral, *, status, reason="", closed_days_ago=None, changed_hours_ago=1):
    now = timezone.now()
    Referral.objects_across_tenants.filter(pk=referral.pk).update(
        status=status,
        status_reason=reason,
        updated_at=now - timedelta(hours=changed_hours_ago),
        closed_at=now - timedelta(days=closed_days_ago) if closed_days_ago is not None else None,
    )


@pytest.fixture
def sent(network):
    """Five referrals by Maria, in every state the page tells apart."""
    made = {
        name: network.refer(seeker=person(network, name))
        for name in ["Waiting Ana", "Declined Ben", "Expired Cruz", "Old Dee", "Helped Eve", "Open Fay"]
    }
    set_state(made["Waiting Ana"], status="needs_client_action", changed_hours_ago=3)
    set_state(made["Declined Ben"], status="declined", reason="no_capacity", closed_days_ago=2, changed_hours_ago=2)
    set_state(
        made["Expired Cruz"], status="withdrawn", reason="expired_no_response", closed_days_ago=1, changed_hours_ago=1
    )
    set_state(made["Old Dee"], status="declined", reason="not_eligible", closed_days_ago=40, changed_hours_ago=960)
    set_state(made["Helped Eve"], status="got_help", closed_days_ago=1, changed_hours_ago=5)
    set_state(made["Open Fay"], status="accepted", changed_hours_ago=4)
    return made


def test_it_requires_sign_in(client):
    response = client.get("/sent/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_what_needs_the_referrer_comes_first_latest_change_first(network, client, sent):
    html = page(client, network.referrer)
    assert people(html) == ["Expired Cruz", "Declined Ben", "Waiting Ana"]
    assert "3 need my attention" in html
    assert "(No capacity)" in html and "(Expired with no response)" in html


def test_the_other_views(network, client, sent):
    assert people(page(client, network.referrer, show="open")) == ["Waiting Ana", "Open Fay"]
    assert people(page(client, network.referrer, show="closed")) == [
        "Expired Cruz",
        "Declined Ben",
        "Helped Eve",
        "Old Dee",
    ]
    assert len(people(page(client, network.referrer, show="all"))) == 6


def test_nothing_to_do_says_so(network, client):
    network.refer()
    html = page(client, network.referrer)
    assert people(html) == [] and "Nothing needs your attention" in html and "0 need my attention" in html


def test_sharing_teammates_see_them_the_others_do_not(network, client, sent):
    assert len(people(page(client, network.teammate, show="all"))) == 6
    for other in [network.private_worker, network.claimer, network.outsider, network.outsider_admin]:
        html = page(client, other, show="all")
        assert people(html) == [] and "Ben" not in html and "Hernandez" not in html


def test_a_bad_filter_gets_a_message_and_the_usual_list(network, client, sent):
    html = page(client, network.referrer, show="everything", urgency="<script>", page="x")
    assert 'class="errorlist"' in html and "<script>" not in html
    assert people(html) == ["Expired Cruz", "Declined Ben", "Waiting Ana"]


def test_pages_of_25_and_a_page_past_the_end(network, client):
    for index in range(27):
        network.refer(seeker=person(network, f"Person N{index:02d}"))
    first = page(client, network.referrer, show="open")
    assert len(people(first)) == 25 and "Showing 1–25, latest change first" in first and 'rel="next"' in first
    assert len(people(page(client, network.referrer, show="open", page="2"))) == 2
    past = page(client, network.referrer, show="open", page="9")
    assert "There are no referrals on page 9" in past


def test_what_needs_attention_is_counted_and_paged(network, client):
    for index in range(27):
        set_state(
            network.refer(seeker=person(network, f"Person N{index:02d}")),
            status="needs_client_action",
            changed_hours_ago=100 - index,
        )
    first = page(client, network.referrer)
    assert "27 need my attention" in first and "Showing 1–25 of 27" in first
    assert people(first)[:2] == ["Person N26", "Person N25"]
    assert people(page(client, network.referrer, page="2")) == ["Person N01", "Person N00"]


def test_the_list_fragment_is_the_list_alone(network, client, sent):
    html = page(client, network.referrer, path="/sent/rows/", show="open")
    assert people(html) == ["Waiting Ana", "Open Fay"] and "<html" not in html


def test_it_is_in_the_navigation_of_workers(network, client):
    assert 'href="/sent/"' in page(client, network.referrer)
    client.force_login(network.claimer)
    assert 'href="/sent/"' not in client.get("/inbound/").content.decode()


def test_the_query_count_does_not_grow_with_the_rows(network, client, django_assert_max_num_queries):
    network.refer()
    client.force_login(network.referrer)
    with django_assert_max_num_queries(100) as few:
        client.get("/sent/", {"show": "all"})
    for index in range(15):
        network.refer(seeker=person(network, f"Person N{index:02d}"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/sent/", {"show": "all"})
    assert len(people(response.content.decode())) == 16


def sent_days_ago(referral, days, *, status="sent", first_response_days_ago=None):
    now = timezone.now()
    Referral.objects_across_tenants.filter(pk=referral.pk).update(
        status=status,
        sent_at=now - timedelta(days=days),
        updated_at=now - timedelta(days=days),
        first_response_at=now - timedelta(days=first_response_days_ago) if first_response_days_ago else None,
    )


def test_unanswered_past_the_programs_expected_time_needs_attention_first(network, client, sent):
    """Issue 19 item 7: "Not updated" three weeks after the program's expected time is the first thing shown."""
    network.program.expected_response_hours = 48
    network.program.save()
    sent_days_ago(network.refer(seeker=person(network, "Silent Gus")), 21)
    sent_days_ago(network.refer(seeker=person(network, "Viewed Hal")), 3, status="viewed")
    sent_days_ago(network.refer(seeker=person(network, "Recent Ivy")), 1)  # within the 48 hours
    # Answered once (first_response_at), then back to viewed by a reopening: not the program's silence.
    sent_days_ago(network.refer(seeker=person(network, "Answered Jo")), 10, status="viewed", first_response_days_ago=9)
    html = page(client, network.referrer)
    assert people(html) == ["Silent Gus", "Viewed Hal", "Expired Cruz", "Declined Ben", "Waiting Ana"]
    assert "5 need my attention" in html
    assert html.count("the program usually answers within 48 hours") == 2
    # The other views keep their order and do not mark rows that are answered.
    assert people(page(client, network.referrer, show="open"))[:2] == ["Waiting Ana", "Open Fay"]


def test_the_expected_time_is_each_programs_own(network, client):
    network.program.expected_response_hours = 24
    network.program.save()
    network.other_program.expected_response_hours = 24 * 30
    network.other_program.save()
    sent_days_ago(network.refer(seeker=person(network, "Quick Kim")), 2)
    sent_days_ago(network.refer(seeker=person(network, "Slow Lou"), program=network.other_program), 2)
    assert people(page(client, network.referrer)) == ["Quick Kim"]


def test_the_attention_view_query_count_does_not_grow_with_overdue_rows(network, client, django_assert_max_num_queries):
    sent_days_ago(network.refer(), 20)
    client.force_login(network.referrer)
    with django_assert_max_num_queries(100) as few:
        client.get("/sent/")
    for index in range(10):
        sent_days_ago(network.refer(seeker=person(network, f"Person N{index:02d}")), 20 - index)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/sent/")
    assert len(people(response.content.decode())) == 11


def test_kept_rows_show_what_is_true_now(network, client):
    """Rows are kept across requests by what they print (core.jinja2.keep): a change that leaves the referral's
    version alone (the seeker's name or phone preference, the program's name) shows at once."""
    from seekers.models import Seeker

    referral = network.refer(seeker=person(network, "Ada Lovelace"))
    first = page(client, network.referrer, show="all")
    assert people(first) == ["Ada Lovelace"] and "Call the person" not in first
    Seeker.objects_across_tenants.filter(pk=referral.seeker_id).update(
        first_name="Augusta", contact_preference="phone", phone="3125550142"
    )
    network.program.name = "Renamed Pantry"
    network.program.save(update_fields=["name"])
    again = page(client, network.referrer, show="all")
    assert people(again) == ["Augusta Lovelace"] and "Renamed Pantry" in again
    assert "Call the person" in again and 'href="tel:+13125550142"' in again
