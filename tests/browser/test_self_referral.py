"""Asking a program for help in a browser (issue 16 item 2): the public "Ask them to contact me" form at phone
width, a refusal that keeps what was typed, the code from the email, the done page, in English and Spanish, with
no serious accessibility violation on any step; the program then has the referral, marked Self-referral."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import LIVE_WAIT_MS
from .support import axe_violations, off_the_event_loop

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _pantry_id():
    from programs.selectors import directory

    return str(directory().get(name="Community Food Pantry").public_id)


def _newest_code(email):
    from notifications.models import OutboxMessage

    message = OutboxMessage.objects.filter(kind="self_referral_confirm", recipient_email__iexact=email).latest("id")
    return re.search(r"\b(\d{6})\b", message.body_text).group(1)


def _self_referral_of(email):
    from referrals.models import Referral

    referral = Referral.objects_across_tenants.select_related("program").get(seeker__email__iexact=email)
    return referral.program.name, referral.referred_by_id, referral.events.get(kind="created").via


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_person_asks_a_program_to_contact_them(browser, demo_server, language):
    pantry = off_the_event_loop(_pantry_id)
    email = f"asker-{language}@example.com"
    context = browser.new_context(base_url=demo_server.url, viewport=PHONE, locale="en-US")
    context.set_default_timeout(LIVE_WAIT_MS)
    page = context.new_page()
    found = {}
    words = {
        "en": {
            "ask": "Ask them to contact me",
            "first": "Your first name",
            "contact": "Your email address or mobile number",
            "send": "Send me the code",
            "not_sent": "Your request was not sent",
            "code": "The 6-digit code we sent you",
            "confirm": "Send my request",
            "done": "Your request was sent",
        },
        "es": {
            "ask": "Pedir que me contacten",
            "first": "Su nombre",
            "contact": "Su correo electrónico o número de celular",
            "send": "Enviarme el código",
            "not_sent": "Su solicitud no se envió",
            "code": "El código de 6 dígitos que le enviamos",
            "confirm": "Enviar mi solicitud",
            "done": "Su solicitud se envió",
        },
    }[language]
    if language == "es":
        page.goto(f"/find/language/?language=es&next=/find/programs/{pantry}/")
    else:
        page.goto(f"/find/programs/{pantry}/")
    page.get_by_role("link", name=words["ask"]).click()
    expect(page.get_by_role("heading", level=1, name=words["ask"])).to_be_visible()
    found["form"] = axe_violations(page)

    page.get_by_label(words["first"]).fill("Rosa")
    page.get_by_label(words["contact"]).fill(email)
    page.get_by_role("button", name=words["send"]).click()  # the consent is not ticked
    expect(page.get_by_text(words["not_sent"])).to_be_visible()
    expect(page.get_by_label(words["first"])).to_have_value("Rosa")
    expect(page.get_by_label(words["contact"])).to_have_value(email)
    found["refused"] = axe_violations(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.locator("input[name=consent]").check()
    page.get_by_role("button", name=words["send"]).click()
    expect(page.get_by_label(words["code"])).to_be_visible()
    found["code"] = axe_violations(page)
    page.get_by_label(words["code"]).fill(off_the_event_loop(_newest_code, email))
    page.get_by_role("button", name=words["confirm"]).click()
    expect(page.get_by_role("heading", level=1, name=words["done"])).to_be_visible()
    found["done"] = axe_violations(page)

    assert {name: violations for name, violations in found.items() if violations} == {}
    program, referred_by, via = off_the_event_loop(_self_referral_of, email)
    assert (program, referred_by, via) == ("Community Food Pantry", None, "self_referral")
    context.close()
