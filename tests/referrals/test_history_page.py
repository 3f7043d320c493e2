"""The referral page's history (issue 19 item 6): what people did by default, grouped by day; the emails
and texts sent on request ("Show emails and texts")."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals import statuses
from referrals.models import ReferralEvent
from referrals.services import note_add, referral_change_status, referral_mark_viewed, referral_record_delivery
from referrals.views import history_by_day

from .test_views_referral import text_of

pytestmark = pytest.mark.django_db


def an_email_sent(referral, to="luis@example.com", **when):
    event = referral_record_delivery(channel="email", referral=referral, detail={"recipient": to})
    if when:  # the history is append-only: an older line is written as a new row with its time
        ReferralEvent.objects_across_tenants.create(
            organization=event.organization,
            referral=referral,
            kind=event.kind,
            actor_display="System",
            detail={"recipient": to},
            created_at=timezone.now() - timedelta(**when),
        )
    return event


@pytest.fixture
def busy(network):
    referral = network.refer()
    an_email_sent(referral, to="sam@foodbank.example", days=3)
    an_email_sent(referral, to="luis@example.com")
    referral_mark_viewed(actor=network.claimer, referral=referral)
    referral_change_status(actor=network.claimer, referral=referral, to_status=statuses.Status.ACCEPTED)
    an_email_sent(referral, to="maria@northside.example")
    note_add(actor=network.claimer, referral=referral, body="Intake on Tuesday.")
    return referral


def test_people_s_actions_show_by_default_the_deliveries_on_request(client, network, busy):
    client.force_login(network.referrer)
    page = client.get(reverse("referrals:detail", args=[busy.public_id]))
    text = text_of(page)
    assert "sent an email" not in text
    assert "changed status from Viewed to Accepted" in text and "added a note" in text
    assert "created the referral" in text
    assert "Show emails and texts (4)" in text

    shown = text_of(client.get(reverse("referrals:detail", args=[busy.public_id]), {"history": "all"}))
    assert "System · sent an email to maria@northside.example" in shown
    assert "sent an email to sam@foodbank.example" in shown
    assert "Hide emails and texts" in shown and "Show emails and texts" not in shown


def test_the_panel_keeps_showing_deliveries_when_it_refreshes(client, network, busy):
    client.force_login(network.referrer)
    detail = reverse("referrals:detail", args=[busy.public_id])
    panel = client.get(detail, {"history": "all"}, HTTP_HX_REQUEST="true").content.decode()
    assert f'hx-get="{detail}?history=all" hx-trigger="live-changed"' in panel
    plain = client.get(detail, HTTP_HX_REQUEST="true").content.decode()
    assert f'hx-get="{detail}" hx-trigger="live-changed"' in plain


def test_the_history_is_grouped_by_day_newest_first(network, busy):
    events = list(busy.events.order_by("-created_at", "-id"))
    days, deliveries = history_by_day(events, show_deliveries=True)
    assert deliveries == 4
    assert [heading for heading, _, _ in days][0] == "Today"
    three_days_ago = timezone.localdate() - timedelta(days=3)
    assert days[-1][1] == three_days_ago
    assert days[-1][0] == f"{three_days_ago:%A}, {three_days_ago:%B} {three_days_ago.day}, {three_days_ago.year}"
    assert [event.detail["recipient"] for event in days[-1][2]] == ["sam@foodbank.example"]
    people_only, _ = history_by_day(events, show_deliveries=False)
    assert [heading for heading, _, _ in people_only] == ["Today"]  # that day had only an email


def test_a_history_with_no_deliveries_offers_no_toggle(client, network):
    referral = network.refer()
    client.force_login(network.referrer)
    text = text_of(client.get(reverse("referrals:detail", args=[referral.public_id])))
    assert "emails and texts" not in text and "created the referral" in text


def test_the_query_count_does_not_grow_with_the_history(client, network, busy, django_assert_max_num_queries):
    client.force_login(network.referrer)
    detail = reverse("referrals:detail", args=[busy.public_id])
    with django_assert_max_num_queries(100) as few:
        client.get(detail, {"history": "all"})
    for index in range(10):
        an_email_sent(busy, to=f"person{index}@example.com", days=index)
        note_add(actor=network.referrer, referral=busy, body=f"Note {index}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(detail, {"history": "all"})
    assert "Show emails and texts" not in text_of(response) and "Note 9" in text_of(response)
