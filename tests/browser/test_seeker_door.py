"""The seeker's own door in a browser (issue 16 items 3 and 4): sign in by the emailed code, read the referrals,
answer, see who looked, at desktop and phone width, in English and Spanish, with no serious axe violation."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import LIVE_WAIT_MS
from .support import axe_violations, off_the_event_loop

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def _seeker_with_a_referral():
    from referrals.models import Referral

    referral = (
        Referral.objects_across_tenants.filter(seeker__email__contains="@", status__in=["sent", "viewed", "accepted"])
        .select_related("seeker", "program")
        .order_by("pk")
        .first()
    )
    return referral.seeker.email, referral.program.name, str(referral.public_id)


def _newest_code(email):
    from notifications.models import OutboxMessage

    message = OutboxMessage.objects.filter(kind="seeker_sign_in", recipient_email__iexact=email).latest("id")
    return re.search(r"\b(\d{6})\b", message.body_text).group(1)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_seeker_signs_in_by_code_and_reads_their_referrals(browser, demo_server, width):
    email, program, referral = off_the_event_loop(_seeker_with_a_referral)
    context = browser.new_context(base_url=demo_server.url, viewport=WIDTHS[width], locale="en-US")
    context.set_default_timeout(LIVE_WAIT_MS)
    page = context.new_page()
    found = {}

    page.goto("/my/referrals/")
    expect(page.get_by_role("heading", level=1, name="See your referrals")).to_be_visible()
    found["sign in"] = axe_violations(page)
    page.get_by_label("Your email address or mobile number").fill("maria@")
    page.get_by_role("button", name="Send me a link and a code").click()
    expect(page.get_by_text("not an email address")).to_be_visible()
    found["sign in refused"] = axe_violations(page)
    page.get_by_label("Your email address or mobile number").fill(email)
    page.get_by_role("button", name="Send me a link and a code").click()
    expect(page.get_by_role("heading", level=1, name="Check your messages")).to_be_visible()
    found["code"] = axe_violations(page)
    page.get_by_label("The 6-digit code we sent you").fill(off_the_event_loop(_newest_code, email))
    page.get_by_role("button", name="Open my referrals").click()
    expect(page.get_by_role("heading", level=1, name="My referrals")).to_be_visible()
    found["list"] = axe_violations(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]["width"]

    page.goto(f"/my/referrals/{referral}/")
    expect(page.get_by_role("heading", level=1, name=program)).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="What happened")).to_be_visible()
    found["referral"] = axe_violations(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]["width"]

    page.get_by_role("link", name="Who looked at my record").click()
    expect(page.get_by_role("heading", level=1, name="Who looked at my record")).to_be_visible()
    found["who looked"] = axe_violations(page)

    page.get_by_role("link", name="Español").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1, name="Quién vio mi expediente")).to_be_visible()
    found["who looked in Spanish"] = axe_violations(page)
    page.goto(f"/my/referrals/{referral}/")
    found["referral in Spanish"] = axe_violations(page)

    assert page.goto("/people/").status == 404  # a seeker session reaches no staff page
    assert {name: violations for name, violations in found.items() if violations} == {}
    context.close()
