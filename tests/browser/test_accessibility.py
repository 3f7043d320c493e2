"""axe-core on each main page: no serious or critical violation."""

import pytest

from programs.selectors import directory
from referrals.models import Referral
from seekers.models import Seeker

from .support import axe_violations, off_the_event_loop

pytestmark = pytest.mark.browser


def pages_to_check():
    pantry = directory().get(name="Community Food Pantry")
    luis = Seeker.objects.unscoped("test setup").get(first_name="Luis", last_name="Hernandez")
    sams_referral = (Referral.objects.unscoped("test setup").filter(program__claimer_memberships__user__email=
                                                                     "sam@foodbank.example").order_by("id").first())
    marias_referral = (Referral.objects.unscoped("test setup").filter(referred_by__email="maria@northside.example")
                       .order_by("id").first())
    return {
        "maria": [
            ("People I'm Helping", "/people/"),
            ("People I'm Helping, searched", "/people/?q=zz-nobody"),
            ("seeker profile", f"/people/{luis.public_id}/"),
            ("program search", f"/programs/?seeker={luis.public_id}&zip={luis.zip_code}"),
            ("Connect form", f"/programs/{pantry.public_id}/connect/?seeker={luis.public_id}"),
            ("referral (referrer)", f"/referrals/{marias_referral.public_id}/"),
        ],
        "sam": [
            ("Inbound Referrals", "/inbound/"),
            ("Inbound Referrals, bad filter", "/inbound/?older_than_days=-3&urgency=urgent"),
            ("referral (claimer)", f"/referrals/{sams_referral.public_id}/"),
            ("claimer program page", f"/programs/{pantry.public_id}/manage/"),
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
