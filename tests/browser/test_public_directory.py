"""The public directory in a browser (issue 16 item 1): found without signing in, at desktop and phone width, in
English and Spanish, with no serious accessibility violation, a remembered language switch, and a print layout."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import LIVE_WAIT_MS
from .support import axe_violations, off_the_event_loop

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def _pantry_id():
    from programs.selectors import directory

    return str(directory().get(name="Community Food Pantry").public_id)


@pytest.mark.parametrize("width", WIDTHS)
def test_anyone_finds_a_program_and_reads_it_with_no_serious_violation(browser, demo_server, width):
    pantry = off_the_event_loop(_pantry_id)
    context = browser.new_context(base_url=demo_server.url, viewport=WIDTHS[width], locale="en-US")
    context.set_default_timeout(LIVE_WAIT_MS)
    page = context.new_page()
    found = {}

    page.goto("/find/")
    expect(page.get_by_role("heading", level=1, name="Find help near you")).to_be_visible()
    found["landing"] = axe_violations(page)
    page.get_by_label("Zip code").fill("60640")
    page.get_by_label("Kind of help", exact=True).select_option(label="Food")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", level=2, name=re.compile(r"programs? near 60640"))).to_be_visible()
    found["results"] = axe_violations(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]["width"]

    page.get_by_role("link", name="Community Food Pantry").click()
    page.wait_for_url(f"**/find/programs/{pantry}/")
    expect(page.get_by_role("heading", level=1, name="Community Food Pantry")).to_be_visible()
    expect(
        page.get_by_role("link", name=re.compile(r"\(\d{3}\) \d{3}-\d{4}|\d{3}-\d{3}-\d{4}")).first
    ).to_have_attribute("href", re.compile(r"^tel:\+1\d{10}$"))
    found["program"] = axe_violations(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]["width"]

    page.get_by_role("link", name="Español").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=2, name="Quiénes pueden recibir ayuda")).to_be_visible()
    found["program in Spanish"] = axe_violations(page)
    page.goto("/find/?zip=60640")  # the choice is remembered
    expect(page.locator("html")).to_have_attribute("lang", "es")
    found["results in Spanish"] = axe_violations(page)
    page.goto("/find/?zip=６０６４０")
    expect(page.get_by_text("Escriba el código postal con los dígitos del 0 al 9")).to_be_visible()
    found["refused search in Spanish"] = axe_violations(page)

    assert {name: violations for name, violations in found.items() if violations} == {}
    context.close()


def test_a_program_prints_on_one_page_without_the_search(browser, demo_server):
    pantry = off_the_event_loop(_pantry_id)
    context = browser.new_context(base_url=demo_server.url)
    page = context.new_page()
    page.goto(f"/find/programs/{pantry}/")
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Language")).to_be_hidden()
    expect(page.get_by_role("link", name="← Find other programs")).to_be_hidden()
    pdf = page.pdf(format="Letter")
    assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") == 1
    page.goto("/find/?zip=60640&category=food")
    page.emulate_media(media="print")
    expect(page.get_by_role("search")).to_be_hidden()
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_anyone_sends_a_program_to_their_phone_with_no_serious_violation(browser, demo_server, width):
    pantry = off_the_event_loop(_pantry_id)
    context = browser.new_context(base_url=demo_server.url, viewport=WIDTHS[width], locale="en-US")
    context.set_default_timeout(LIVE_WAIT_MS)
    page = context.new_page()
    found = {}

    page.goto(f"/find/programs/{pantry}/")
    page.get_by_role("link", name="Send this to my phone or email").click()
    expect(page.get_by_role("heading", level=1, name="Send this to your phone or email")).to_be_visible()
    expect(page.get_by_label("Leave this empty")).to_be_hidden()  # the honeypot
    found["form"] = axe_violations(page)
    page.get_by_label("Your email address or mobile number").fill("555-0142")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Enter the whole phone number with its area code")).to_be_visible()
    expect(page.get_by_label("Your email address or mobile number")).to_have_value("555-0142")
    found["refused"] = axe_violations(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]["width"]
    page.get_by_label("Your email address or mobile number").fill("maria@example.com")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", level=1, name="Sent")).to_be_visible()
    found["sent"] = axe_violations(page)

    page.goto(f"/find/language/?language=es&next=/find/programs/{pantry}/send/")
    expect(page.get_by_role("heading", level=1, name="Envíe esto a su teléfono o correo")).to_be_visible()
    page.get_by_label("Su correo electrónico o número de celular").fill("llamar")
    page.get_by_role("button", name="Enviar").click()
    expect(page.get_by_text("Un número de teléfono solo tiene dígitos")).to_be_visible()
    found["refused in Spanish"] = axe_violations(page)

    assert {name: violations for name, violations in found.items() if violations} == {}
    context.close()
