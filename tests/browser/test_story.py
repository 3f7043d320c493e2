"""The whole story with the demo people, in a real browser, with live updates between two of them."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from programs.selectors import directory
from referrals.models import Referral
from referrals.services import referral_change_status, referral_create
from referrals.statuses import OPEN
from seekers.models import Seeker

from .support import off_the_event_loop

pytestmark = pytest.mark.browser


def a_seeker_without_an_open_referral_to(program) -> Seeker:
    open_to_program = Referral.objects.unscoped("test setup").filter(program=program, status__in=sorted(OPEN))
    return (Seeker.objects.unscoped("test setup")
            .filter(organization__slug="northside", created_by__email="maria@northside.example")
            .exclude(pk__in=open_to_program.values("seeker_id")).order_by("last_name").first())


def setup_story():
    pantry = directory().get(name="Community Food Pantry")
    return (pantry, a_seeker_without_an_open_referral_to(pantry), User.objects.get(email="maria@northside.example"),
            User.objects.get(email="sam@foodbank.example"))


def test_a_referral_made_elsewhere_arrives_on_inbound_and_its_changes_show_live(sign_in):
    pantry, seeker, maria, sam_user = off_the_event_loop(setup_story)

    sam = sign_in("sam")
    expect(sam.get_by_role("heading", name="Inbound Referrals")).to_be_visible()
    assert re.search(r"/inbound/$", sam.url)
    expect(sam.get_by_role("link", name=seeker.full_name)).to_have_count(0)

    # Maria sends a referral somewhere else (here: through the service, as the API or another browser would).
    referral = off_the_event_loop(referral_create, actor=maria, seeker=seeker, program=pantry, comment="Needs groceries this week.",
                               urgency="urgent", consent_method="verbal")
    row = sam.locator(f"#inbound-{referral.public_id}")
    expect(row).to_be_visible()  # without reloading: live.js polled, the list re-fetched itself
    expect(row.get_by_text("Urgent")).to_be_visible()
    expect(row.get_by_text("Not updated")).to_be_visible()

    # Sam assigns it to himself from the list.
    row.get_by_label(f"Assign the referral for {seeker.full_name} to").select_option(label="Me (Sam O.)")
    row.get_by_role("button", name="Assign").click()
    expect(sam.get_by_text(f"The referral for {seeker.full_name} is now assigned to you.")).to_be_visible()
    expect(sam.get_by_label(f"Assign the referral for {seeker.full_name} to")).to_have_value(str(sam_user.public_id))

    # A change made elsewhere shows on Sam's open list without a reload.
    off_the_event_loop(referral_change_status, actor=sam_user, referral=referral, to_status="accepted")
    expect(sam.locator(f"#inbound-{referral.public_id}").get_by_text("Accepted")).to_be_visible()
