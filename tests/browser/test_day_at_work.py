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
    return (
        Referral.objects.unscoped("test setup")
        .filter(referred_by__email="maria@northside.example", **filters)
        .select_related("seeker", "program")
        .order_by("id")
        .first()
    )


def make_overdue() -> Referral:
    """One of Maria's referrals, "Not updated" weeks after the program's expected time."""
    referral = marias(status__in=["sent", "viewed", "accepted", "in_service", "waitlisted"])
    long_ago = timezone.now() - timedelta(days=90)  # longer than any demo referral: the first row
    Referral.objects.unscoped("test setup").filter(pk=referral.pk).update(
        status="sent", status_reason="", first_response_at=None, sent_at=long_ago, updated_at=long_ago, closed_at=None
    )
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


def sams(**filters) -> Referral:
    return (
        Referral.objects.unscoped("test setup")
        .filter(program__claimer_memberships__user__email="sam@foodbank.example", **filters)
        .select_related("seeker", "program")
        .order_by("id")
        .first()
    )


def fresh_referral_for_sam(status: str) -> Referral:
    """A referral to Sam's program, moved to ``status`` for the test (its row on Inbound Referrals shown)."""
    referral = sams(
        status__in=["sent", "viewed", "accepted", "waitlisted", "needs_client_action", "in_service"], urgency="urgent"
    ) or sams(status__in=["sent", "viewed", "accepted"])
    Referral.objects.unscoped("test setup").filter(pk=referral.pk).update(
        status=status, status_reason="", closed_at=None
    )
    return referral


def test_one_click_next_steps_on_inbound_and_on_the_referral_page(sign_in):
    """Item 4: Accept in one click from an Inbound row, by keyboard; Start service and Undo on the page;
    Decline… asks the reason."""
    referral = off_the_event_loop(fresh_referral_for_sam, "viewed")
    sam = sign_in("sam")
    sam.goto("/inbound/?urgency=urgent" if referral.urgency == "urgent" else "/inbound/")
    row = sam.locator(f"#inbound-{referral.public_id}")
    accept = row.get_by_role("button", name="Accept", exact=True)
    accept.focus()
    sam.keyboard.press("Enter")
    confirmation = sam.locator("#inbound-confirmation .messages")
    expect(confirmation).to_contain_text(f"{referral.seeker.full_name}: status changed to “Accepted”.")
    expect(confirmation).to_be_focused()
    expect(row.locator(".badge").first).to_have_text("Accepted")
    expect(sam.locator("#announcer")).to_contain_text("status changed to “Accepted”")
    assert axe_violations(sam) == []

    sam.goto(f"/referrals/{referral.public_id}/")
    panel = sam.locator(f"[data-live-referral='{referral.public_id}']")
    panel.get_by_role("button", name="Start service").click()
    messages = panel.locator("[data-panel-messages] .messages")
    expect(messages).to_contain_text("Status changed to “In service”.")
    expect(messages).to_be_focused()
    expect(panel.locator(".badge").first).to_have_text("In service")
    assert axe_violations(sam) == []
    panel.get_by_role("button", name="Undo (back to “Accepted”)").click()
    expect(panel.locator(".badge").first).to_have_text("Accepted")

    panel.locator("summary", has_text="Decline…").click()
    panel.get_by_label("No capacity").check()
    assert axe_violations(sam) == []
    panel.get_by_role("button", name="Decline", exact=True).click()
    expect(panel.locator(".badge").first).to_have_text("Declined")
    expect(messages).to_contain_text("Status changed to “Declined”.")


def test_a_referral_opened_from_a_profile_has_its_own_address(sign_in):
    """Item 5: the panel opens in place under its own URL; reload keeps it, Back returns to the profile."""
    referral = off_the_event_loop(lambda: marias(status="accepted", comment__gt=""))
    maria = sign_in("maria")
    profile = f"/people/{referral.seeker.public_id}/"
    maria.goto(profile)
    # The first poll may refresh the list once (a click on a row it replaces would be lost): let it.
    maria.wait_for_load_state("networkidle")
    row = maria.locator("#outbound-referrals li.referral-row").filter(
        has=maria.locator(f"a[href$='/referrals/{referral.public_id}/']")
    )
    expect(row).to_contain_text(referral.comment[:40])
    row.get_by_role("link", name=referral.program.name).click()
    own = f"/people/{referral.seeker.public_id}/referrals/{referral.public_id}/"
    maria.wait_for_url(f"**{own}")
    panel = maria.locator(f"#referral-panel [data-live-referral='{referral.public_id}']")
    expect(panel).to_be_visible()
    assert axe_violations(maria) == []
    maria.reload()
    expect(panel).to_be_visible()
    expect(maria.get_by_role("heading", name=referral.seeker.full_name, level=1)).to_be_visible()
    maria.go_back()
    maria.wait_for_url(f"**{profile}")
    expect(maria.get_by_role("heading", name=referral.seeker.full_name, level=1)).to_be_visible()


def claimer_accepts(referral_id):
    """The program's claimer accepts, elsewhere (as Sam would in his browser)."""
    from referrals.services import referral_change_status

    referral = Referral.objects.unscoped("test").select_related("program").get(pk=referral_id)
    claimer = referral.program.claimer_memberships.select_related("user").first().user
    referral_change_status(actor=claimer, referral=referral, to_status="accepted")


def claimer_notes(referral_id, body):
    from referrals.services import note_add

    referral = Referral.objects.unscoped("test").select_related("program").get(pk=referral_id)
    note_add(
        actor=referral.program.claimer_memberships.select_related("user").first().user, referral=referral, body=body
    )


def marias_open_referral() -> Referral:
    referral = (
        Referral.objects.unscoped("test setup")
        .filter(
            referred_by__email="maria@northside.example",
            program__claimer_memberships__isnull=False,
            status__in=["sent", "viewed", "waitlisted", "needs_client_action", "in_service"],
        )
        .select_related("seeker", "program")
        .order_by("-id")
        .first()
    )
    Referral.objects.unscoped("test setup").filter(pk=referral.pk).update(status="viewed", status_reason="")
    return referral


def test_typed_text_survives_a_concurrent_change_and_confirmations_stay(sign_in):
    """Items 1 and 2: Maria writes while the program's claimer accepts; her panel waits and says so; the refused change keeps her
    text with what changed above it; sent again, the confirmation takes focus and stays through a refresh."""
    referral = off_the_event_loop(marias_open_referral)
    maria = sign_in("maria")
    maria.goto(f"/referrals/{referral.public_id}/")
    panel = maria.locator(f"[data-live-referral='{referral.public_id}']")
    text = "Luis found a closer pantry; he asked me to withdraw this one."
    panel.get_by_label("Status", exact=True).select_option(label="Withdrawn")
    panel.get_by_label("Reason", exact=True).select_option(label="No longer interested")
    panel.get_by_label("Explanation (optional)").fill(text)

    off_the_event_loop(claimer_accepts, referral.pk)
    expect(panel.locator("[data-live-pending]")).to_be_visible()
    expect(panel.locator(".badge").first).to_have_text("Viewed")  # not redrawn under her hands
    assert axe_violations(maria) == []

    panel.get_by_role("button", name="Update status").click()
    changed = panel.locator(".stale-changes")
    expect(changed).to_contain_text("changed status from Viewed to Accepted")
    expect(changed).to_be_focused()
    expect(panel.get_by_label("Explanation (optional)")).to_have_value(text)
    expect(panel.locator(".badge").first).to_have_text("Accepted")
    assert axe_violations(maria) == []
    # The refusal gave her text back: the polls that follow do not redraw her form over it (a refresh emptied it
    # a moment later, and sometimes her next choices too).
    for _ in range(2):
        with maria.expect_response("**/live/**"):
            pass
    expect(panel.get_by_label("Explanation (optional)")).to_have_value(text)

    panel.get_by_label("Status", exact=True).select_option(label="Withdrawn")
    panel.get_by_label("Reason", exact=True).select_option(label="No longer interested")
    panel.get_by_role("button", name="Update status").click()
    messages = panel.locator("[data-panel-messages] .messages")
    expect(messages).to_contain_text("Status changed to “Withdrawn”.")
    expect(messages).to_be_focused()
    # A change made elsewhere redraws the panel: the confirmation stays.
    off_the_event_loop(claimer_notes, referral.pk, "Thanks, closing on our side too.")
    expect(panel.locator(".note").first).to_contain_text("Thanks, closing on our side too.")
    expect(messages).to_contain_text("Status changed to “Withdrawn”.")


def test_polling_backs_off_when_idle_and_resumes_on_activity(sign_in):
    """Item 14, on Playwright's clock: every 1.5 s while active, once a minute after a minute idle, at once on
    the next key or pointer move."""
    sam = sign_in("sam")
    sam.clock.install()
    with sam.expect_response("**/live/**"):
        sam.goto("/inbound/")
    with sam.expect_response("**/live/**"):
        sam.clock.fast_forward(1_600)  # active: the next poll 1.5 s later
    with sam.expect_response("**/live/**"):
        sam.clock.fast_forward(70_000)  # a minute and more without activity: the due poll goes out, then idle
    polls = []
    sam.on("request", lambda request: polls.append(request.url) if "/live/" in request.url else None)
    sam.clock.fast_forward(30_000)  # idle: nothing for half a minute
    sam.evaluate("1")  # a round trip: a request made meanwhile has been reported
    assert polls == []
    with sam.expect_request("**/live/**"):
        sam.mouse.move(40, 40)  # back: a poll at once
        sam.mouse.move(60, 60)


def grace_at_northside():
    """The demo's Grace Okonkwo, whom Maria helps (with an email and zip code to type again)."""
    from seekers.models import Seeker

    grace = Seeker.objects.unscoped("test setup").get(
        first_name="Grace", last_name="Okonkwo", organization__name="Northside Health Center"
    )
    Seeker.objects.unscoped("test setup").filter(pk=grace.pk).update(
        email="grace.okonkwo@example.com", zip_code="60640"
    )
    return grace


def test_adding_a_person_who_is_already_helped_shows_the_likely_match(sign_in):
    """Item 3: "Grace Okonkwo" with the same email and zip is found before a second profile is made."""
    grace = off_the_event_loop(grace_at_northside)
    maria = sign_in("maria")
    maria.goto("/people/new/")
    maria.get_by_label("First name").fill("grace")
    maria.get_by_label("Last name").fill("OKONKWO")
    maria.get_by_label("Zip code").fill("60640")
    maria.get_by_label("Email").fill("grace.okonkwo@example.com")
    maria.get_by_role("button", name="Add person").click()
    matches = maria.locator("#likely-matches")
    expect(matches).to_be_focused()
    expect(matches).to_contain_text("same email")
    expect(maria.get_by_label("Email")).to_have_value("grace.okonkwo@example.com")
    assert axe_violations(maria) == []
    maria.get_by_role("link", name="Open Grace Okonkwo's profile").click()
    maria.wait_for_url(f"**/people/{grace.public_id}/")

    # Someone else with a name alike: confirmed, a new profile.
    maria.goto("/people/new/")
    maria.get_by_label("First name").fill("Grace")
    maria.get_by_label("Last name").fill("Okonkwo")
    maria.get_by_label("Zip code").fill("60640")
    maria.get_by_label("How to contact").select_option(label="Do not contact")
    maria.get_by_role("button", name="Add person").click()
    expect(maria.locator("#likely-matches")).to_contain_text("similar name and the same zip code")
    maria.get_by_role("button", name="This is someone else: add the person").click()
    expect(maria.get_by_text("Added Grace Okonkwo.")).to_be_visible()
    assert f"/people/{grace.public_id}/" not in maria.url
