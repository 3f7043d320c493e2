"""Issue 15, programs as full participants, in a real browser (with axe on every new page)."""

import pytest
from playwright.sync_api import expect

from referrals.models import Referral

from .support import axe_violations, off_the_event_loop

pytestmark = pytest.mark.browser


def sams_open_referral() -> Referral:
    """An open referral to a program Sam claims, with its consent holding."""
    return (Referral.objects.unscoped("test setup")
            .filter(program__claimer_memberships__user__email="sam@foodbank.example", status__in=["sent", "viewed"],
                    consent_withdrawn_at__isnull=True)
            .select_related("seeker", "program").order_by("id").first())


def test_a_claimer_finds_a_referred_person_and_works_the_referral_from_their_profile(sign_in):
    """Item 1: People I'm Helping for a program, the profile's Inbound Referrals section, the referral in place."""
    referral = off_the_event_loop(sams_open_referral)
    seeker = referral.seeker
    sam = sign_in("sam")
    sam.get_by_role("link", name="People I'm Helping").click()
    expect(sam.get_by_role("heading", name="People I'm Helping")).to_be_visible()
    assert axe_violations(sam) == []
    sam.get_by_label("Search people").fill(seeker.last_name)
    row_link = sam.locator("#people-list").get_by_role("link", name=seeker.full_name)
    expect(row_link).to_be_visible()
    row_link.click()
    expect(sam.get_by_role("heading", name=seeker.full_name, level=1)).to_be_visible()
    expect(sam.get_by_role("heading", name="Inbound Referrals")).to_be_visible()
    expect(sam.get_by_role("heading", name="Navigation history")).to_have_count(0)
    assert axe_violations(sam) == []

    sam.locator("#inbound-referrals").get_by_role("link", name=referral.program.name).first.click()
    panel = sam.locator(f'[data-live-referral="{referral.public_id}"]')
    expect(panel).to_be_visible()
    expect(sam).to_have_url(f"{sam.url.split('/people/')[0]}/people/{seeker.public_id}/referrals/"
                            f"{referral.public_id}/")
    panel.get_by_role("button", name="Accept").first.click()
    expect(panel.locator(".badge").first).to_have_text("Accepted")
    assert axe_violations(sam) == []
