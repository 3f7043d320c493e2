"""What seekers and newcomers meet (issue 19, items 9 to 12): seeker wording and contact links, the dev
mailbox, our own error pages, report tables that fit."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Organization

from .conftest import LIVE_WAIT_MS
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


def test_report_tables_and_charts_scroll_in_their_boxes_and_chart_text_is_readable(sign_in):
    page = sign_in("omar")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/reports/")
        sizes = page.evaluate("""() => {
            const summary = document.querySelector('#summary .table-scroll');
            const texts = [...document.querySelectorAll('svg.chart text')];
            return {
                page: [document.documentElement.scrollWidth, document.documentElement.clientWidth],
                summary: [summary.scrollWidth, summary.clientWidth, summary.getBoundingClientRect().right],
                // The font size times the scale the chart is drawn at (rotated labels included).
                smallestText: Math.min(...texts.map(text => parseFloat(getComputedStyle(text).fontSize)
                    * Math.hypot(text.getScreenCTM().a, text.getScreenCTM().b))),
            };
        }""")
        # Nothing sticks out of the page: a wide table scrolls inside its own box.
        assert sizes["page"][0] <= sizes["page"][1], (width, sizes)
        assert sizes["summary"][2] <= width, (width, sizes)
        if width == 390:
            assert sizes["summary"][0] > sizes["summary"][1], sizes  # it does scroll there
        else:
            assert sizes["summary"][0] <= sizes["summary"][1], sizes  # all 13 columns show on a desktop
        assert sizes["smallestText"] >= 11.99, (width, sizes)  # 12 px, give or take rounding
        assert axe_violations(page) == []


def _spanish_seekers_referral_in_service():
    from notifications.links import link_url
    from referrals.models import Referral
    from referrals.services import referral_change_status
    from referrals.statuses import Status

    referral = (
        Referral.objects.unscoped("test setup")
        .filter(status=Status.ACCEPTED, seeker__preferred_language="es")
        .select_related("program", "seeker")
        .order_by("id")
        .first()
    )
    claimer = referral.program.claimer_memberships.select_related("user").first().user
    referral = referral_change_status(actor=claimer, referral=referral, to_status=Status.IN_SERVICE)
    return link_url(referral=referral, seeker=referral.seeker), referral.program.phone


def test_a_seeker_reads_what_their_status_means_and_can_call_or_find_the_program(browser, demo_server):
    link, phone = off_the_event_loop(_spanish_seekers_referral_in_service)
    context = browser.new_context(base_url=demo_server.url)  # an English browser: the seeker's language wins
    page = context.new_page()
    page.goto("/" + link.split("/", 3)[3])  # the path of the emailed link, on this server
    expect(page.get_by_text("El programa está trabajando con usted")).to_be_visible()
    expect(page.get_by_text("En servicio")).to_have_count(0)
    expect(page.get_by_role("link", name=phone)).to_have_attribute("href", re.compile(r"^tel:\+1\d{10}$"))
    expect(page.get_by_role("link", name=re.compile("Chicago"))).to_have_attribute(
        "href", re.compile(r"^https://www\.google\.com/maps/search/\?api=1&query=")
    )
    assert axe_violations(page) == []
    context.close()


def test_staff_can_call_the_person_from_their_profile(sign_in):
    page = sign_in("maria")
    page.goto("/people/")
    page.get_by_role("link", name="Luis Hernandez").first.click()
    expect(page.get_by_role("link", name="773-555-1000")).to_have_attribute("href", "tel:+17735551000")


def _seeker_emails_in_each_language():
    from notifications.models import OutboxMessage

    emails = OutboxMessage.objects.filter(kind=OutboxMessage.Kind.REFERRAL_CONFIRMATION).order_by("id")
    return {language: str(emails.filter(language=language).first().public_id) for language in ("en", "es")}


ANSWERS = {
    "en": ["I got help", "I couldn't get help", "I'm no longer interested"],
    "es": ["Recibí ayuda", "No pude recibir ayuda", "Ya no me interesa"],
}


def test_a_seekers_email_reads_well_at_phone_width_with_big_answer_buttons(browser, demo_server, settings):
    settings.DEBUG = True  # the mailbox exists only in development
    emails = off_the_event_loop(_seeker_emails_in_each_language)
    context = browser.new_context(base_url=demo_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()

    def without_the_sandbox(route):
        # The mailbox serves an email's HTML sandboxed (no script may run in it), and axe is a script: the test
        # reads the same bytes without that header.
        response = route.fetch()
        headers = {name: value for name, value in response.headers.items() if name.lower() != "content-security-policy"}
        route.fulfill(response=response, headers=headers)

    page.route("**/dev/mailbox/*/html/", without_the_sandbox)
    for language, public_id in emails.items():
        page.goto(f"/dev/mailbox/{public_id}/")
        page.get_by_role("link", name="View the HTML version").click()
        page.wait_for_url(f"**/dev/mailbox/{public_id}/html/")
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        buttons = [page.get_by_role("link", name=label, exact=True) for label in ANSWERS[language]]
        for button in buttons:
            box = button.bounding_box()
            # A thumb-sized target across the phone's width (the layout's phone rules reach it).
            assert box["height"] >= 44 and box["width"] >= 300, (language, box)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert axe_violations(page) == [], language
    context.close()
