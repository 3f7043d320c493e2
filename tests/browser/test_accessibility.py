"""axe-core on each main page: no serious or critical violation."""

import pytest

from programs.selectors import directory

from .support import axe_violations, off_the_event_loop

pytestmark = pytest.mark.browser


def test_the_main_pages_have_no_serious_accessibility_violations(browser, demo_server, sign_in):
    pantry = off_the_event_loop(lambda: directory().get(name="Community Food Pantry"))
    found = {}

    anonymous = browser.new_page(base_url=demo_server.url)
    anonymous.goto("/accounts/login/")
    found["sign-in"] = axe_violations(anonymous)
    anonymous.close()

    sam = sign_in("sam")
    for name, path in [
        ("inbound", "/inbound/"),
        ("inbound, filtered with a bad value", "/inbound/?older_than_days=-3&urgency=urgent"),
        ("claimer program page", f"/programs/{pantry.public_id}/manage/"),
    ]:
        sam.goto(path)
        found[name] = axe_violations(sam)

    assert {page: violations for page, violations in found.items() if violations} == {}
