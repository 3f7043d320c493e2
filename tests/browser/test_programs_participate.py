"""Issue 15, programs as full participants, in a real browser (with axe on every new page)."""

import pytest
from playwright.sync_api import expect

from referrals.models import Referral

from .support import axe_violations, off_the_event_loop

pytestmark = pytest.mark.browser


def sams_open_referral() -> Referral:
    """An open referral to a program Sam claims, with its consent holding."""
    return (
        Referral.objects.unscoped("test setup")
        .filter(
            program__claimer_memberships__user__email="sam@foodbank.example",
            status__in=["sent", "viewed"],
            consent_withdrawn_at__isnull=True,
        )
        .select_related("seeker", "program")
        .order_by("id")
        .first()
    )


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
    expect(sam).to_have_url(f"{sam.url.split('/people/')[0]}/people/{seeker.public_id}/referrals/{referral.public_id}/")
    panel.get_by_role("button", name="Accept").first.click()
    expect(panel.locator(".badge").first).to_have_text("Accepted")
    assert axe_violations(sam) == []


def a_new_pantry_referral() -> Referral:
    """A fresh referral by Maria to Community Food Pantry, of someone with no open referral there or at SNAP."""
    from accounts.models import User
    from programs.selectors import directory
    from referrals.services import referral_create
    from seekers.models import Seeker

    maria = User.objects.get(email="maria@northside.example")
    pantry = directory().get(name="Community Food Pantry")
    busy = (
        Referral.objects.unscoped("test setup")
        .filter(
            program__name__in=["Community Food Pantry", "SNAP Enrollment Help"],
            status__in=["sent", "viewed", "needs_client_action", "accepted", "waitlisted", "in_service"],
        )
        .values("seeker_id")
    )
    seeker = (
        Seeker.objects.restrict(maria, "view")
        .exclude(pk__in=busy)
        .exclude(contact_preference="do_not_contact")
        .order_by("id")
        .first()
    )
    return referral_create(
        actor=maria, seeker=seeker, program=pantry, consent_method="verbal", comment="Needs groceries this week."
    )


def test_a_claimer_forwards_a_referral_to_another_program(sign_in):
    """Item 3: Forward from the referral page, the search under its banner, the form, the new referral."""
    referral = off_the_event_loop(a_new_pantry_referral)
    sam = sign_in("sam")
    sam.goto(f"/referrals/{referral.public_id}/")
    sam.get_by_role("button", name="Forward to another program").click()
    expect(sam.get_by_role("region", name="Which referral you are forwarding")).to_contain_text(
        f"Forwarding the referral of {referral.seeker.full_name} from Community Food Pantry"
    )
    assert axe_violations(sam) == []
    sam.get_by_label("Keywords").fill("SNAP")
    sam.get_by_role("button", name="Search").click()
    sam.get_by_role("button", name="Forward here").first.click()
    expect(sam.get_by_role("heading", level=1)).to_contain_text("Forward")
    assert axe_violations(sam) == []
    sam.get_by_label("Comment").fill("We're full this month.")
    sam.get_by_role("button", name="Forward referral").click()
    expect(sam.locator(".errorlist").first).to_be_visible()  # consent not recorded: refused, input kept
    expect(sam.get_by_label("Comment")).to_have_value("We're full this month.")
    sam.get_by_label(f"{referral.seeker.full_name} gives consent").check()
    sam.get_by_label("How it was given").select_option("verbal")
    sam.get_by_role("button", name="Forward referral").click()
    expect(sam.get_by_text("Forwarded by Community Food Pantry")).to_be_visible()
    expect(sam.get_by_role("heading", level=2).first).to_contain_text("SNAP Enrollment Help")
    assert axe_violations(sam) == []


def test_a_claimer_refers_on_behalf_of_their_program(sign_in):
    """Item 2: a person Sam added, the Connect form with "Refer as"."""
    sam = sign_in("sam")
    sam.goto("/people/?show=helping")
    sam.locator("#people-list").get_by_role("link", name="Nadia Petrov").click()
    sam.get_by_role("button", name="Start a referral").click()
    sam.get_by_label("Keywords").fill("clinic")
    sam.get_by_role("button", name="Search").click()
    sam.get_by_role("button", name="Refer").first.click()
    refer_as = sam.get_by_label("Refer as")
    expect(refer_as).to_be_visible()
    assert axe_violations(sam) == []
    refer_as.select_option(label="On behalf of Mobile Food Market")
    sam.get_by_label("Nadia Petrov gives consent").check()
    sam.get_by_label("How it was given").select_option("verbal")
    sam.get_by_role("button", name="Send referral").click()
    expect(sam.get_by_role("heading", name="Nadia Petrov", level=1)).to_be_visible()
