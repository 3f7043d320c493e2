"""Browser tests: Playwright's sync API driving Debian's Chromium against a live server with the demo data.

Each module seeds the demo network once (seeding per test would make the suite slow) and starts its own
live server; at the end the database is flushed, so the tests that run after it on the same xdist worker
start from an empty database as usual. pytest-django's ``live_server`` fixture is not used because it asks
for ``transactional_db`` on every test, which would empty the seeded database after the first one.
"""

from __future__ import annotations

import os

import pytest

from .support import DEMO_PASSWORD, email_for

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# How long a page may take to show a change made elsewhere (live.js polls every 1.5 s). A wait, not an
# assertion about speed: the expectation passes as soon as the change shows.
LIVE_WAIT_MS = 10_000


def require_chromium():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs Chromium at {CHROMIUM} for the browser tests (scripts/test-deps.sh installs it).")
        pytest.skip(f"Chromium is not installed at {CHROMIUM}: run scripts/test-deps.sh or apt-get install chromium.")


@pytest.fixture(scope="module")
def browser(demo_server):
    """Chromium, started after the database work: Playwright's loop must not be running during it."""
    require_chromium()
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=LIVE_WAIT_MS)

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def demo_server(django_db_setup, django_db_blocker):
    """A live server over a database holding the demo network, shared by the tests of one module."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.live_server_helper import LiveServer

    from referrals.demo import seed

    require_chromium()
    with django_db_blocker.unblock():
        # pytest-django creates the test database only when a collected test asks for ``db``; when the
        # browser tests run alone, nothing has, so create it here (and drop it afterwards).
        created = None
        if not connection.settings_dict["NAME"].startswith("test_"):
            created = setup_databases(verbosity=0, interactive=False, aliases={"default"})
        seed()
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        try:
            yield server
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            call_command("flush", interactive=False, verbosity=0)
            ContentType.objects.clear_cache()
            if created is not None:
                teardown_databases(created, verbosity=0)


@pytest.fixture(scope="module")
def sign_in(browser, demo_server):
    """sign_in("maria") -> a Playwright page in its own browser context, signed in through the form."""
    contexts = []

    def open_as(who: str, email_domain: str | None = None):
        context = browser.new_context(base_url=demo_server.url)
        context.set_default_timeout(LIVE_WAIT_MS)
        contexts.append(context)
        page = context.new_page()
        page.goto("/accounts/login/")
        page.get_by_label("Email").fill(email_for(who))
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    yield open_as
    for context in contexts:
        context.close()
