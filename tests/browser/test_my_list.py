"""My list in a browser (issue 16's short list, /find/list/): a visitor adds programs from their pages at phone
width, sees them on one page, removes one, and emails the list to themselves, in English and Spanish, with no
serious accessibility violation on any step; one email holds the programs left on the list."""

import pytest
from playwright.sync_api import expect

from .conftest import LIVE_WAIT_MS
from .support import axe_violations, off_the_event_loop

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
PROGRAMS = ["Community Food Pantry", "SNAP Enrollment Help"]
WORDS = {
    "en": {
        "add": "Add to my list",
        "see": "See my list",
        "title": "My list",
        "remove": "Remove SNAP Enrollment Help from my list",
        "send": "Send my list to my phone or email",
        "contact": "Your email address or mobile number",
        "submit": "Send",
        "sent": "Sent",
    },
    "es": {
        "add": "Agregar a mi lista",
        "see": "Ver mi lista",
        "title": "Mi lista",
        "remove": "Quitar SNAP Enrollment Help de mi lista",
        "send": "Enviar mi lista a mi teléfono o correo",
        "contact": "Su correo electrónico o número de celular",
        "submit": "Enviar",
        "sent": "Enviado",
    },
}


def _program_ids():
    from programs.selectors import directory

    return {program.name: str(program.public_id) for program in directory().filter(name__in=PROGRAMS)}


def _list_email(address):
    from notifications.models import OutboxMessage

    message = OutboxMessage.objects.filter(recipient_email__iexact=address).latest("id")
    return message.kind, message.body_text


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_visitor_keeps_a_list_removes_one_and_emails_it(browser, demo_server, language):
    ids = off_the_event_loop(_program_ids)
    words = WORDS[language]
    address = f"my-list-{language}@example.com"
    context = browser.new_context(base_url=demo_server.url, viewport=PHONE, locale="en-US")
    context.set_default_timeout(LIVE_WAIT_MS)
    page = context.new_page()
    found = {}

    page.goto("/find/")
    if language == "es":
        page.get_by_role("link", name="Español").click()
        expect(page.locator("html")).to_have_attribute("lang", "es")
    for name in PROGRAMS:
        page.goto(f"/find/programs/{ids[name]}/")
        page.get_by_role("button", name=words["add"]).click()
        expect(page.get_by_role("heading", level=1, name=words["title"])).to_be_visible()
    found["list"] = axe_violations(page)
    for name in PROGRAMS:
        expect(page.get_by_role("link", name=name)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.get_by_role("button", name=words["remove"]).click()
    expect(page.get_by_role("link", name="Community Food Pantry")).to_be_visible()
    expect(page.get_by_role("link", name="SNAP Enrollment Help")).to_have_count(0)

    page.get_by_role("link", name=words["send"]).click()
    expect(page.get_by_role("heading", level=1, name=words["send"])).to_be_visible()
    found["send"] = axe_violations(page)
    page.get_by_role("button", name=words["submit"]).click()  # nothing typed: refused on the same page
    expect(page.get_by_role("heading", level=1, name=words["send"])).to_be_visible()
    expect(page.locator(".errorlist")).to_be_visible()
    page.get_by_label(words["contact"]).fill(address)
    page.get_by_role("button", name=words["submit"]).click()
    expect(page.get_by_role("heading", level=1, name=words["sent"])).to_be_visible()
    expect(page.get_by_text(address)).to_be_visible()
    found["sent"] = axe_violations(page)

    kind, body = off_the_event_loop(_list_email, address)
    assert kind == "program_list"
    assert "Community Food Pantry" in body and "SNAP Enrollment Help" not in body
    assert {name: violations for name, violations in found.items() if violations} == {}
    context.close()
