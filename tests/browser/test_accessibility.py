"""axe-core on each main page: no serious or critical violation."""

import re

import pytest

from accounts.models import Organization
from programs.selectors import directory
from referrals.models import Referral
from seekers.models import Seeker

from .support import axe_violations, off_the_event_loop

pytestmark = pytest.mark.browser


def pages_to_check():
    pantry = directory().get(name="Community Food Pantry")
    luis = Seeker.objects.unscoped("test setup").get(first_name="Luis", last_name="Hernandez")
    sams_referral = (
        Referral.objects.unscoped("test setup")
        .filter(program__claimer_memberships__user__email="sam@foodbank.example")
        .order_by("id")
        .first()
    )
    marias_referral = (
        Referral.objects.unscoped("test setup")
        .filter(referred_by__email="maria@northside.example")
        .order_by("id")
        .first()
    )
    northside = Organization.objects.get(name="Northside Health Center")
    return {
        "maria": [
            ("People I'm Helping", "/people/"),
            ("People I'm Helping, searched", "/people/?q=zz-nobody"),
            ("seeker profile", f"/people/{luis.public_id}/"),
            ("program search", f"/programs/?seeker={luis.public_id}&zip={luis.zip_code}"),
            ("Connect form", f"/programs/{pantry.public_id}/connect/?seeker={luis.public_id}"),
            ("referral (referrer)", f"/referrals/{marias_referral.public_id}/"),
            ("Sent referrals", "/sent/"),
            ("Sent referrals, all", "/sent/?show=all"),
        ],
        "omar": [
            ("organization members", f"/organization/{northside.public_id}/members/"),
            ("organization teams", f"/organization/{northside.public_id}/teams/"),
            ("organization report", "/reports/"),
        ],
        "sam": [
            ("Inbound Referrals", "/inbound/"),
            ("Inbound Referrals, bad filter", "/inbound/?older_than_days=-3&urgency=urgent"),
            ("referral (claimer)", f"/referrals/{sams_referral.public_id}/"),
            ("claimer program page", f"/programs/{pantry.public_id}/manage/"),
            ("claimer intake questions", f"/programs/{pantry.public_id}/manage/questions/"),
        ],
    }


def test_the_main_pages_have_no_serious_accessibility_violations(browser, demo_server, sign_in):
    to_check = off_the_event_loop(pages_to_check)
    found = {}

    anonymous = browser.new_page(base_url=demo_server.url)
    anonymous.goto("/accounts/login/")
    found["sign-in"] = axe_violations(anonymous)
    anonymous.close()

    for person, pages in to_check.items():
        page = sign_in(person)
        for name, path in pages:
            response = page.goto(path)
            assert response.status == 200, (name, path, response.status)
            found[name] = axe_violations(page)

    assert {page: violations for page, violations in found.items() if violations} == {}


FOCUS_AND_BACKGROUND = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  if (style.outlineStyle === "none" || parseFloat(style.outlineWidth) === 0) {
    return {element: element.outerHTML.slice(0, 80), outline: null, background: null};
  }
  // The ring is drawn outside the element (outline-offset), so what it must stand out from is the
  // background of the nearest ancestor that paints one.
  let node = element.parentElement, background = "rgb(255, 255, 255)";
  while (node) {
    const colour = getComputedStyle(node).backgroundColor;
    if (colour && colour !== "transparent" && !colour.startsWith("rgba(0, 0, 0, 0")) { background = colour; break; }
    node = node.parentElement;
  }
  return {element: element.outerHTML.slice(0, 80), outline: style.outlineColor, background};
}"""


def _luminance(rgb: str) -> float:
    red, green, blue = (int(part) / 255 for part in re.findall(r"\d+", rgb)[:3])

    def linear(channel):
        return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast(one: str, other: str) -> float:
    lighter, darker = sorted([_luminance(one), _luminance(other)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_keyboard_focus_ring_stands_out_3_to_1_wherever_it_appears(demo_server, sign_in):
    """WCAG 1.4.11: on the light pages, in the dark top bar, on cards and on the yellow banner."""
    luis = off_the_event_loop(
        lambda: Seeker.objects.unscoped("test setup").get(first_name="Luis", last_name="Hernandez")
    )
    page = sign_in("maria")
    weak, seen = [], set()
    for path in ["/people/", f"/programs/?seeker={luis.public_id}&zip={luis.zip_code}"]:
        page.goto(path)
        for _ in range(16):
            page.keyboard.press("Tab")
            found = page.evaluate(FOCUS_AND_BACKGROUND)
            assert found["outline"], f"no focus ring on {found['element']}"
            seen.add(found["background"])
            ratio = contrast(found["outline"], found["background"])
            if ratio < 3:
                weak.append(f"{ratio:.1f}:1 on {found['background']} at {found['element']}")
    assert len(seen) >= 3, seen  # the top bar, the page and a card or the banner were all reached
    assert weak == []


LONG_NAME = "Wolfeschlegelsteinhausenbergerdorff" * 4
LONG_EMAIL = "a" * 90 + "@example.com"


def _give_a_seeker_a_very_long_name():
    seeker = (
        Seeker.objects.unscoped("test setup")
        .filter(created_by__email="maria@northside.example", referrals__isnull=False)
        .exclude(first_name="Luis")
        .order_by("id")
        .first()
    )
    Seeker.objects.unscoped("test setup").filter(pk=seeker.pk).update(last_name=LONG_NAME, email=LONG_EMAIL)
    referral = Referral.objects.unscoped("test setup").filter(seeker=seeker).order_by("id").first()
    return seeker.public_id, referral.public_id


def test_a_very_long_unbroken_name_or_email_never_widens_the_page(demo_server, sign_in):
    seeker_id, referral_id = off_the_event_loop(_give_a_seeker_a_very_long_name)
    page = sign_in("maria")
    widths = {}
    for viewport in (390, 1280):
        page.set_viewport_size({"width": viewport, "height": 900})
        for path in [
            "/people/",
            f"/people/{seeker_id}/",
            f"/referrals/{referral_id}/",
            f"/programs/?seeker={seeker_id}&q=pantry",
        ]:
            assert page.goto(path).status == 200
            assert LONG_NAME in page.content()
            widths[(viewport, path)] = page.evaluate("document.documentElement.scrollWidth")
    assert {key: width for key, width in widths.items() if width > key[0]} == {}
