"""Issue 19, "a day at work": what helpers and claimers hit when they use it all day, in real browsers.

Each test works on its own demo referral, so the tests of this module do not depend on each other's order.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from referrals.models import Referral
from referrals.services import referral_record_delivery

from .support import axe_violations, off_the_event_loop

pytestmark = pytest.mark.browser


def marias(**filters) -> Referral:
    return (Referral.objects.unscoped("test setup").filter(referred_by__email="maria@northside.example", **filters)
            .select_related("seeker", "program").order_by("id").first())


def make_overdue() -> Referral:
    """One of Maria's referrals, "Not updated" weeks after the program's expected time."""
    referral = marias(status__in=["sent", "viewed", "accepted", "in_service", "waitlisted"])
    long_ago = timezone.now() - timedelta(days=90)  # longer than any demo referral: the first row
    Referral.objects.unscoped("test setup").filter(pk=referral.pk).update(
        status="sent", status_reason="", first_response_at=None, sent_at=long_ago,
        updated_at=long_ago, closed_at=None)
    return referral


def test_unanswered_past_the_expected_time_comes_first_in_needs_my_attention(sign_in):
    """Item 7."""
    referral = off_the_event_loop(make_overdue)
    maria = sign_in("maria")
    maria.goto("/sent/")
    first = maria.locator("#sent-list tbody tr").first
    expect(first).to_have_id(f"sent-{referral.public_id}")
    expect(first).to_contain_text("No answer")
    expect(first).to_contain_text(f"usually answers within {referral.program.expected_response_hours} hours")
    assert axe_violations(maria) == []


def with_deliveries() -> Referral:
    referral = marias(status="accepted")
    for recipient in ["sam@foodbank.example", "luis@example.com", "rita@foodbank.example"]:
        referral_record_delivery(channel="email", referral=referral, detail={"recipient": recipient})
    return referral


def test_the_history_shows_people_first_and_emails_on_request_grouped_by_day(sign_in):
    """Item 6."""
    referral = off_the_event_loop(with_deliveries)
    maria = sign_in("maria")
    maria.goto(f"/referrals/{referral.public_id}/")
    # The first poll reports the emails just recorded and the panel refreshes once: let it.
    maria.wait_for_load_state("networkidle")
    panel = maria.locator(f"[data-live-referral='{referral.public_id}']")
    history = panel.locator(".history li")
    # Today only emails were sent: hidden, so is the day; the earlier days are headed by their date.
    expect(panel.locator(".history-day").first).not_to_have_text("Today")
    expect(history.filter(has_text="sent an email")).to_have_count(0)
    expect(history.filter(has_text="created the referral")).to_have_count(1)

    toggle = panel.get_by_role("link", name="Show emails and texts")
    toggle.focus()
    maria.keyboard.press("Enter")
    expect(history.filter(has_text="System · sent an email to rita@foodbank.example")).to_have_count(1)
    expect(panel.locator(".history-day").first).to_have_text("Today")
    hide = panel.get_by_role("link", name="Hide emails and texts")
    expect(hide).to_be_focused()
    assert axe_violations(maria) == []
    hide.click()
    expect(history.filter(has_text="sent an email")).to_have_count(0)
