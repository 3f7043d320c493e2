"""The whole story with the demo people, in real browsers, with live updates between them.

Maria (a helper at Northside) refers Luis to the Community Food Pantry; Sam (its claimer, in a second
browser context) sees the referral arrive, opens and accepts it; each sees the other's changes without
reloading; Ana (another tenant) gets "not found".
"""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from referrals.models import Referral
from referrals.services import note_add

from .support import off_the_event_loop

pytestmark = pytest.mark.browser

SEEKER = "Luis Hernandez"
PROGRAM = "Community Food Pantry"


def the_new_referral() -> Referral:
    return (
        Referral.objects.unscoped("test check")
        .select_related("program")
        .get(seeker__first_name="Luis", seeker__last_name="Hernandez", program__name=PROGRAM, status="sent")
    )


def test_the_story(sign_in):
    sam = sign_in("sam")
    expect(sam.get_by_role("heading", name="Inbound Referrals")).to_be_visible()
    expect(sam.get_by_role("link", name=SEEKER)).to_have_count(0)

    # Maria finds Luis on People I'm Helping and starts a referral from his profile.
    maria = sign_in("maria")
    expect(maria.get_by_role("heading", name="People I'm Helping")).to_be_visible()
    maria.get_by_label("Search people").fill("Hernandez")
    maria.get_by_role("button", name="Search").click()
    maria.get_by_role("link", name=SEEKER).click()
    expect(maria.get_by_role("heading", name=SEEKER, level=1)).to_be_visible()
    # Two goals to attach the referral to and move it between.
    for title in ["Get enough food for the family", "Find a job nearby"]:
        maria.get_by_label("New goal").fill(title)
        maria.get_by_role("button", name="Add goal").click()
        expect(maria.get_by_label(f"Name of the goal “{title}”")).to_be_visible()
    maria.get_by_role("button", name="Start a referral").click()

    # The search opens in Luis's zip code, under a banner naming him.
    expect(maria.get_by_text(f"Finding programs for {SEEKER}")).to_be_visible()
    expect(maria.get_by_label("Zip code")).to_have_value("60640")
    maria.get_by_label("Keywords").fill("pantry")
    maria.get_by_role("button", name="Search").click()
    result = maria.locator("li.program-result").filter(has=maria.get_by_role("heading", name=PROGRAM))
    expect(result).to_contain_text("Accepting referrals now")
    result.get_by_role("button", name="Refer").click()

    # The Connect form, filled in from the profile: comment, consent, send.
    expect(maria.get_by_role("heading", name=f"Connect {SEEKER} to {PROGRAM}")).to_be_visible()
    maria.get_by_label("Comment", exact=True).fill("Luis needs groceries for a family of four this week.")
    maria.get_by_label(re.compile("gives consent")).check()
    maria.get_by_label("How it was given").select_option(label="Verbal")
    maria.get_by_role("button", name="Send referral").click()

    # Back on the profile, the new referral is on top.
    expect(maria.get_by_role("heading", name=SEEKER, level=1)).to_be_visible()
    outbound = maria.locator("#outbound-referrals li.referral-row")
    expect(outbound.first).to_contain_text(PROGRAM)
    expect(outbound.first).to_contain_text("Not updated")
    referral = off_the_event_loop(the_new_referral)

    # Sam sees it arrive without reloading, opens it (it becomes Viewed) and accepts it.
    row = sam.locator(f"#inbound-{referral.public_id}")
    expect(row).to_contain_text("Not updated")
    row.get_by_role("link", name=SEEKER).click()
    sam_panel = sam.locator(f"[data-live-referral='{referral.public_id}']")
    expect(sam_panel).to_contain_text("Luis needs groceries for a family of four this week.")
    expect(sam_panel.locator(".badge").first).to_have_text("Viewed")
    # Maria's profile shows the change without a reload.
    expect(outbound.first).to_contain_text("Viewed")
    sam.get_by_label("Status").select_option(label="Accepted")
    sam.get_by_role("button", name="Update status").click()
    expect(sam_panel.locator(".badge").first).to_have_text("Accepted")

    # Maria sees "Accepted" appear without reloading.
    expect(outbound.first).to_contain_text("Accepted")

    # Maria opens the referral on the profile, adds a note; Sam sees it without reloading.
    outbound.first.get_by_role("link", name=PROGRAM).click()
    maria_panel = maria.locator(f"[data-live-referral='{referral.public_id}']")
    expect(maria_panel.locator(".badge").first).to_have_text("Accepted")
    note = "Luis can come in on Tuesday afternoons. <script>alert(1)</script>"
    maria_panel.get_by_label("Note", exact=True).fill(note)
    maria_panel.get_by_role("button", name="Add note").click()
    expect(maria_panel.locator(".note")).to_contain_text("Luis can come in on Tuesday afternoons. <script>")
    expect(sam_panel.locator(".note")).to_contain_text("Luis can come in on Tuesday afternoons.")

    # Sam adds one too (through the service, as the API would); then Maria deletes her own, with a confirmation.
    sam_user = off_the_event_loop(User.objects.get, email="sam@foodbank.example")
    off_the_event_loop(note_add, actor=sam_user, referral=referral, body="Called Luis; intake booked.")
    expect(maria_panel.locator(".note")).to_have_count(2)
    maria.once("dialog", lambda dialog: dialog.accept())
    maria_panel.locator(".note").filter(has_text="Tuesday afternoons").get_by_role("button", name="Delete note").click()
    expect(maria_panel.locator(".note")).to_have_count(1)
    expect(maria_panel.locator(".note")).to_contain_text("Called Luis; intake booked.")
    expect(sam_panel.locator(".note")).to_have_count(1)

    # A goal attached, then moved.
    history = maria_panel.locator(".history li")
    maria_panel.get_by_label("Goal", exact=True).select_option(label="Get enough food for the family")
    maria_panel.get_by_role("button", name="Save goal").click()
    expect(history.first).to_contain_text(
        "Maria G. · Northside Health Center · added the referral to the goal “Get enough food for the family”"
    )
    maria_panel.get_by_label("Goal", exact=True).select_option(label="Find a job nearby")
    maria_panel.get_by_role("button", name="Save goal").click()
    expect(history.first).to_contain_text(
        "Maria G. · Northside Health Center · moved the referral from the goal “Get enough food for the family” "
        "to “Find a job nearby”"
    )

    # History, newest first, in words.
    expect(history.filter(has_text="deleted a note")).to_have_count(1)
    expect(
        history.filter(has_text="Sam O. · Community Food Pantry · changed status from Viewed to Accepted")
    ).to_have_count(1)
    expect(history.filter(has_text="Maria G. · Northside Health Center · created the referral")).to_have_count(1)
    expect(history.last).to_contain_text("Maria G. · Northside Health Center · created the referral")

    # Ana, at another tenant, gets "not found" on the referral's URL.
    ana = sign_in("ana")
    response = ana.goto(f"/referrals/{referral.public_id}/")
    assert response.status == 404
    expect(ana.get_by_text(SEEKER)).to_have_count(0)
