"""Screenshots of the main pages at desktop and phone width, into docs/screenshots/ (`make screenshots`).

Builds the demo network in a fresh SQLite file (development settings, as `make run`), serves it with
runserver on a free local port, and drives Debian's Chromium through Playwright as the demo people would.
Nothing here touches db.sqlite3 or any other database.

    python scripts/screenshots.py                   # every page, both widths
    python scripts/screenshots.py --only sign-in    # one page (names: --list)
    python scripts/screenshots.py --out /tmp/shots
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "referrals-demo"
WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
# Long pages (the report, the dev mailbox) are cut below this height: the top says what the page is.
MAX_HEIGHT = 2400


@dataclass(frozen=True)
class Shot:
    name: str
    who: str | None  # the demo person signed in (their email's first part), None for a visitor
    path: str  # a path, or a "{placeholder}" filled in from the demo data (see LOOKUPS)
    needs_demo: bool = True


SHOTS = [
    Shot("sign-in", None, "/accounts/login/", needs_demo=False),
    Shot("people", "maria", "/people/"),
    Shot("profile", "maria", "/people/{luis}/"),
    Shot("program-search", "maria", "/programs/?seeker={luis}&zip={luis_zip}"),
    Shot("connect", "maria", "/programs/{pantry}/connect/?seeker={luis}"),
    Shot("referral-referrer", "maria", "/referrals/{marias_referral}/"),
    Shot("sent", "maria", "/sent/"),
    Shot("inbound", "sam", "/inbound/"),
    Shot("referral-claimer", "sam", "/referrals/{sams_referral}/"),
    Shot("organization-members", "omar", "/organization/{northside}/members/"),
    Shot("report", "omar", "/reports/"),
    Shot("seeker-email-link", None, "{seeker_link}"),
    Shot("dev-mailbox", None, "/dev/mailbox/"),
    Shot("seeker-email", None, "/dev/mailbox/{seeker_email}/html/"),
    Shot("find", None, "/find/"),
    Shot("find-results", None, "/find/?zip=60640&radius=10"),
    Shot("find-program", None, "/find/programs/{pantry}/"),
]

# The demo rows the paths name, read once from the seeded database.
LOOKUPS = r"""
import json
import django
django.setup()
from accounts.models import Organization
from programs.selectors import directory
from referrals.links import link_path
from referrals.models import Referral
from seekers.models import Seeker
luis = Seeker.objects.unscoped("screenshots").get(first_name="Luis", last_name="Hernandez")
referrals = Referral.objects.unscoped("screenshots").order_by("id")
seekers_referral = referrals.filter(seeker__contact_preference="email", seeker__preferred_language="en",
                                    status="accepted").first()
from notifications.models import OutboxMessage
seeker_email = OutboxMessage.objects.filter(kind="referral_confirmation", language="en").order_by("id").first()
print(json.dumps({
    "luis": str(luis.public_id), "luis_zip": luis.zip_code,
    "pantry": str(directory().get(name="Community Food Pantry").public_id),
    "marias_referral": str(referrals.filter(referred_by__email="maria@northside.example").first().public_id),
    "sams_referral": str(referrals.filter(program__claimer_memberships__user__email="sam@foodbank.example")
                         .first().public_id),
    "northside": str(Organization.objects.get(slug="northside").public_id),
    "seeker_link": link_path(referral=seekers_referral, seeker=seekers_referral.seeker),
    "seeker_email": str(seeker_email.public_id),
}))
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, server: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the server stopped before answering (see its log above)")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server did not answer at {url} within {timeout:.0f} s")


def run(args: list[str], env: dict) -> str:
    result = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"{' '.join(args)} failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return result.stdout


def take(shots: list[Shot], *, base_url: str, values: dict, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
        )
        try:
            for width_name, viewport in WIDTHS.items():
                contexts = {}
                for shot in shots:
                    if shot.who not in contexts:
                        context = browser.new_context(
                            base_url=base_url,
                            viewport=viewport,
                            locale="en-US",
                            device_scale_factor=1,
                            reduced_motion="reduce",
                        )
                        if shot.who:
                            page = context.new_page()
                            page.goto("/accounts/login/")
                            page.get_by_label("Email").fill(f"{shot.who}@{DOMAINS[shot.who]}")
                            page.get_by_label("Password").fill(PASSWORD)
                            page.get_by_role("button", name="Sign in").click()
                            page.wait_for_url(lambda url: "/accounts/login/" not in url)
                            page.close()
                        contexts[shot.who] = context
                    page = contexts[shot.who].new_page()
                    page.goto(shot.path.format(**values))
                    page.wait_for_load_state("networkidle")
                    target = out / f"{shot.name}-{width_name}.png"
                    height = min(page.evaluate("document.documentElement.scrollHeight"), MAX_HEIGHT)
                    page.screenshot(
                        path=str(target),
                        full_page=True,
                        animations="disabled",
                        caret="hide",
                        clip={"x": 0, "y": 0, "width": viewport["width"], "height": height},
                    )
                    page.close()
                    written.append(target)
                for context in contexts.values():
                    context.close()
        finally:
            browser.close()
    return written


DOMAINS = {"maria": "northside.example", "omar": "northside.example", "sam": "foodbank.example"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", metavar="NAME", help="only this page (repeatable)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--list", action="store_true", help="list the page names and stop")
    options = parser.parse_args(argv)
    if options.list:
        print("\n".join(shot.name for shot in SHOTS))
        return 0
    shots = [shot for shot in SHOTS if not options.only or shot.name in options.only]
    unknown = set(options.only or ()) - {shot.name for shot in SHOTS}
    if unknown:
        parser.error(f"no such page: {', '.join(sorted(unknown))} (see --list)")
    if not os.path.exists(CHROMIUM):
        parser.error(f"Chromium is needed at {CHROMIUM} (scripts/test-deps.sh installs it)")
    options.out.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="screenshots-") as workdir:
        port = free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "referrals_site.settings.dev",
            "DATABASE_URL": f"sqlite:///{Path(workdir) / 'db.sqlite3'}",
            "PORT": str(port),
            "SITE_URL": f"http://127.0.0.1:{port}",
            "MFA_REQUIRED_FOR_ADMINS": "false",
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        }
        env.pop("REDIS_URL", None)
        print("Building the demo network in a fresh SQLite file (a few minutes)…", flush=True)
        run(["manage.py", "migrate", "--noinput"], env)
        values = {}
        if any(shot.needs_demo for shot in shots):
            run(["manage.py", "seed_demo"], env)
            values = json.loads(run(["-c", LOOKUPS], env).strip().splitlines()[-1])
        log = open(Path(workdir) / "server.log", "w")  # noqa: SIM115 (closed below)
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            base_url = f"http://127.0.0.1:{port}"
            wait_until_up(f"{base_url}/accounts/login/", server)
            written = take(shots, base_url=base_url, values=values, out=options.out)
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()
    for path in written:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
