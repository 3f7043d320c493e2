"""What a newcomer meets first (issue 19, items 10 and 11): the dev mailbox and our own error pages."""

import pytest
from playwright.sync_api import expect

from .conftest import LIVE_WAIT_MS
from accounts.models import Organization

from .support import axe_violations, email_for, off_the_event_loop

pytestmark = pytest.mark.browser


def test_the_dev_mailbox_opens_on_its_heading_and_shows_a_password_reset(browser, demo_server, sign_in, settings):
    settings.DEBUG = True  # the mailbox exists only in development
    settings.SITE_URL = demo_server.url  # as `make run PORT=...` makes it: the emails' links reach this server
    visitor = browser.new_context(base_url=demo_server.url)
    visitor.set_default_timeout(LIVE_WAIT_MS)
    page = visitor.new_page()
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill(email_for("maria"))
    page.get_by_role("button", name="Send the link").click()
    page.wait_for_url("**/accounts/password/reset/sent/")

    page.goto("/dev/mailbox/")
    expect(page.get_by_role("heading", level=1, name="Dev mailbox")).to_be_visible()
    # The list is not shown again as some two hundred banners above the heading.
    expect(page.locator(".messages")).to_have_count(0)
    reset = page.get_by_role("row").filter(has_text="Reset your password for the referral network").first
    expect(reset).to_contain_text(email_for("maria"))
    assert axe_violations(page) == []

    reset.get_by_role("link").click()
    link = page.get_by_role("link", name="/accounts/password/reset/").first
    expect(link).to_be_visible()
    link.click()
    expect(page.get_by_label("New password", exact=True)).to_be_visible()
    visitor.close()


def test_a_seeker_meets_our_not_found_page_in_their_language(browser, demo_server):
    context = browser.new_context(base_url=demo_server.url, locale="es-ES")
    page = context.new_page()
    response = page.goto("/r/00000000-0000-0000-0000-000000000000/not-a-token/extra/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Página no encontrada")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)
    assert axe_violations(page) == []
    context.close()


def test_staff_meet_our_not_found_and_not_allowed_pages_with_their_navigation(sign_in):
    page = sign_in("maria")
    response = page.goto("/people/00000000-0000-0000-0000-000000000000/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Go to your start page").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Page not found")

    northside = off_the_event_loop(lambda: str(Organization.objects.get(slug="northside").public_id))
    response = page.goto(f"/organization/{northside}/members/")  # Maria is a worker there, not an admin
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
    expect(page.get_by_text("Only the organization's admins manage its members")).to_be_visible()
    assert axe_violations(page) == []
