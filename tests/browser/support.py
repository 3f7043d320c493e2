"""Helpers for the browser tests."""

from pathlib import Path

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
DEMO_PASSWORD = "referrals-demo"

DEMO_EMAILS = {
    "maria": "maria@northside.example",
    "james": "james@northside.example",
    "omar": "omar@northside.example",
    "ana": "ana@eastlake.example",
    "sam": "sam@foodbank.example",
    "rita": "rita@foodbank.example",
}


def email_for(who: str) -> str:
    return DEMO_EMAILS[who]


def axe_violations(page, impacts=("serious", "critical")) -> list[str]:
    """Runs axe-core (vendored) on the page; the serious and critical violations, one line each.

    The pages' Content-Security-Policy forbids inline scripts, so instead of ``add_script_tag(path=...)``
    (which inlines the file) the vendored file is served to the page from its own origin by a route.
    """
    origin = "/".join(page.url.split("/")[:3])
    page.route(
        f"{origin}/__axe__.js", lambda route: route.fulfill(path=str(AXE), content_type="application/javascript")
    )
    try:
        page.add_script_tag(url=f"{origin}/__axe__.js")
        result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    finally:
        page.unroute(f"{origin}/__axe__.js")
    return [
        f"{violation['impact']}: {violation['id']} ({violation['help']}) at "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:5])
        for violation in result["violations"]
        if violation["impact"] in impacts
    ]


def off_the_event_loop(function, *args, **kwargs):
    """Calls ``function`` in another thread and returns its result.

    Playwright's sync API runs an asyncio event loop in the test's thread, and Django refuses database
    calls from a thread with a running loop; the test's own database work (setup, changes "made
    elsewhere") therefore runs in a short-lived thread with its own connection.
    """
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    def call():
        try:
            return function(*args, **kwargs)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()
