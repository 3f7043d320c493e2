"""`make run` serves on SQLite with no configuration: the main pages must work there too.

The rest of the suite runs on PostgreSQL, so this starts a separate process on a fresh SQLite file,
migrates, seeds the demo network and opens each main page as the demo people would.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
from accounts.models import User
from referrals.models import Referral
from seekers.models import Seeker
setup_test_environment()
failures = []
def check(email, path):
    client = Client()
    client.force_login(User.objects.get(email=email))
    status = client.get(path).status_code
    if status != 200:
        failures.append(f"{email} {path} -> {status}")
referral = Referral.objects.unscoped("smoke").filter(organization__slug="northside", status="sent").first()
seeker = referral.seeker
for path in ["/people/", f"/people/{seeker.public_id}/", f"/referrals/{referral.public_id}/",
             f"/programs/?zip=60640&seeker={seeker.public_id}", f"/programs/?zip=60640&radius=10&q=food",
             "/api/v1/referrals/", "/api/v1/seekers/", "/live/"]:
    check("maria@northside.example", path)
for path in ["/inbound/", f"/referrals/{referral.public_id}/", "/api/v1/referrals/?direction=inbound"]:
    check("kim@lakeshore.example" if referral.program.organization.slug == "lakeshore" else
          {"foodbank": "sam@foodbank.example", "hopehousing": "lena@hopehousing.example"}.get(
              referral.program.organization.slug, "kim@lakeshore.example"), path)
for path in ["/reports/", "/people/"]:
    check("omar@northside.example", path)
check("admin@network.example", "/reports/network/")
print("\n".join(failures) or "ALL OK")
"""


WRITERS = r"""
import threading
import django
django.setup()
from django.db import connection
from accounts.models import User
from referrals import services
from referrals.models import Note, Referral
from referrals.statuses import CLOSED

maria = User.objects.get(email="maria@northside.example")
referrals = list(Referral.objects.restrict(maria, "refer:all").exclude(status__in=CLOSED).order_by("id")[:3])
before = Note.objects.unscoped("count").count()
THREADS, EACH = 8, 6
errors = []
start = threading.Barrier(THREADS)

def write(index):
    try:
        start.wait()  # all at the same moment
        for n in range(EACH):
            services.note_add(actor=maria, referral=referrals[index % len(referrals)],
                              body=f"writer {index}, note {n}")
    except Exception as error:
        errors.append(repr(error))
    finally:
        connection.close()

threads = [threading.Thread(target=write, args=(index,)) for index in range(THREADS)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print("errors:", errors[:3])
print("added:", Note.objects.unscoped("count").count() - before, "of", THREADS * EACH)
"""


@pytest.fixture(scope="module")
def make_run(tmp_path_factory):
    """Runs Python as `make run` does (development settings, a fresh SQLite file, no Redis) on the seeded
    demo network."""
    database = tmp_path_factory.mktemp("make-run") / "db.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "referrals_site.settings.dev",
        "DATABASE_URL": f"sqlite:///{database}",
        # Admins are sent to two-factor enrolment first; that flow has its own tests.
        "MFA_REQUIRED_FOR_ADMINS": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    }
    env.pop("REDIS_URL", None)

    def run(*args):
        return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)

    for args in (["manage.py", "migrate", "--noinput"], ["manage.py", "seed_demo"]):
        result = run(*args)
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return run


def test_the_main_pages_work_on_the_sqlite_default(make_run):
    result = make_run("-c", SCRIPT)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("ALL OK"), result.stdout[-3000:]


def test_people_writing_at_the_same_moment_are_all_saved_on_the_sqlite_default(make_run):
    """Eight writers at once (threads, each with its own connection to the file), each reading then writing
    in a transaction as every service does: without immediate transactions and a busy timeout most of them
    fail with "database is locked"."""
    result = make_run("-c", WRITERS)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "errors: []" in result.stdout, result.stdout[-3000:]
    assert "added: 48 of 48" in result.stdout, result.stdout[-3000:]


def test_make_run_on_another_port_serves_there_and_email_links_follow():
    dry_run = subprocess.run(["make", "-n", "run", "PORT=8001"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert "runserver 127.0.0.1:8001" in dry_run.stdout

    def site_url(**extra):
        env = {
            **{k: v for k, v in os.environ.items() if k not in ("PORT", "SITE_URL")},
            "DJANGO_SETTINGS_MODULE": "referrals_site.settings.dev",
            **extra,
        }
        return subprocess.run(
            [
                sys.executable,
                "-c",
                "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout.strip()

    assert site_url(PORT="8001") == "http://127.0.0.1:8001"
    assert site_url() == "http://127.0.0.1:8000"
    assert site_url(PORT="8001", SITE_URL="https://referrals.example") == "https://referrals.example"
