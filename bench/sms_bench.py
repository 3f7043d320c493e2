"""Benchmark: how many texts per second one Celery worker delivers from the text outbox to Twilio's API.

Not a test. It writes N text rows (each to a seeker who chose texts, about one referral, so every delivery
also writes its "text sent" history event as in production), queues one task each, then starts one worker
node whose ``sms.backends.TwilioBackend`` (the real ``twilio`` client) posts to a loopback stand-in of
Twilio's Messages API (tests/sms/twilio_standin.py, a thread of this process: nothing leaves the machine),
and measures from the first text sent to the last.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rn_sms_bench \
    REDIS_URL=redis://127.0.0.1:6379/4 .venv/bin/python bench/sms_bench.py --texts 3000

It uses production settings (DEBUG off), creates the database if it is missing and migrates it, and empties
the Redis database it is given (use one nothing else uses). Quiet hours are off for the run
(``SMS_QUIET_HOURS=off``), so the figure does not depend on the hour it is run at.
"""

import argparse
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "referrals_site.settings.prod"
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret")
os.environ.setdefault("ALLOWED_HOSTS", "localhost")
os.environ.setdefault("SITE_URL", "http://localhost")
os.environ.setdefault("ALLOW_CONSOLE_EMAIL", "true")
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
os.environ["SMS_BACKEND"] = "sms.backends.TwilioBackend"
os.environ["SMS_QUIET_HOURS"] = "off"
os.environ.update(
    TWILIO_ACCOUNT_SID="AC" + "0" * 32, TWILIO_AUTH_TOKEN="benchmark-token", TWILIO_FROM_NUMBER="+13125550100"
)
os.environ.setdefault("LOG_LEVEL", "WARNING")

from bench.notifications_bench import ensure_database  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--texts", type=int, default=3000)
    parser.add_argument(
        "--concurrency",
        type=int,
        default=os.cpu_count() or 2,
        help="the worker's processes (default: the machine's cores)",
    )
    parser.add_argument("--pool", default="prefork", choices=["prefork", "solo", "threads"])
    parser.add_argument("--loglevel", default="WARNING")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get("REDIS_URL"):
        sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL (a Redis database nothing else uses).")
    ensure_database(os.environ["DATABASE_URL"])

    from tests.sms.twilio_standin import TwilioStandIn

    standin = TwilioStandIn().start()
    os.environ["TWILIO_API_BASE_URL"] = standin.url

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Max, Min
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from core.tasks import deliver_outbox_row
    from referrals_site.celery import app
    from sms.models import TextMessage
    from sms.services import SMS_CHANNEL

    referral = bench_referral()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE sms_textmessage")
    with app.connection_for_write() as broker:
        broker.default_channel.client.flushdb()

    now = timezone.now()
    body = "Your referral to Benchmark Pantry: The program will help you. See it and answer: http://localhost/t/AbCdEfGhIj/"
    rows = [
        TextMessage(
            key=f"bench:{now.timestamp()}:{number}",
            kind=TextMessage.Kind.STATUS_CHANGED,
            referral=referral,
            recipient_seeker=referral.seeker,
            to_number=referral.seeker.phone,
            body=body,
        )
        for number in range(args.texts)
    ]
    TextMessage.objects.bulk_create(rows, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE sms_textmessage")
    ids = list(TextMessage.objects.values_list("pk", flat=True))
    started = time.monotonic()
    with app.producer_or_acquire() as producer:
        for row_id in ids:
            deliver_outbox_row.apply_async((SMS_CHANNEL, row_id), producer=producer)
    print(f"queued {len(ids)} texts in {time.monotonic() - started:.1f}s")

    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "referrals_site",
            "worker",
            f"--loglevel={args.loglevel}",
            f"--concurrency={args.concurrency}",
            f"--pool={args.pool}",
            "--without-gossip",
            "--without-mingle",
            "-n",
            "sms-bench@%h",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        start_new_session=True,
    )
    try:
        sent = 0
        while sent < len(ids):
            time.sleep(1)
            sent = TextMessage.objects.filter(status__in=[TextMessage.Status.SENT, TextMessage.Status.FAILED]).count()
            if worker.poll() is not None:
                sys.exit("the worker stopped")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(60)
        standin.stop()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    worker_cpu = usage.ru_utime + usage.ru_stime
    span = TextMessage.objects.aggregate(first=Min("sent_at"), last=Max("sent_at"))
    seconds = (span["last"] - span["first"]).total_seconds()
    failed = TextMessage.objects.exclude(status=TextMessage.Status.SENT).count()
    print(
        f"delivered {len(ids)} texts in {seconds:.1f}s with one worker ({args.pool}, concurrency "
        f"{args.concurrency}) on {os.cpu_count()} cores: {len(ids) / seconds:.0f} texts/second; "
        f"not sent: {failed}; the stand-in accepted {len(standin.sent())}; load average {os.getloadavg()[0]:.1f}"
    )
    print(f"worker CPU: {worker_cpu:.1f}s in all, {worker_cpu / len(ids) * 1000:.2f} ms per text (start-up included)")


def bench_referral():
    """One referral of a seeker who chose texts, in a small network of its own, made through the services."""
    from accounts.models import Membership, User
    from accounts.services import membership_set, organization_create
    from programs.services import program_create
    from referrals.models import Referral
    from referrals.services import referral_create
    from seekers.models import Seeker

    existing = Referral.objects_across_tenants.filter(program__name="Benchmark Text Pantry").first()
    if existing:
        return existing
    site = organization_create(name="Benchmark Text Site", slug="benchmark-text-site", runs_site=True)
    provider = organization_create(name="Benchmark Text Provider", slug="benchmark-text-provider", runs_site=False)
    program = program_create(organization=provider, name="Benchmark Text Pantry")
    user = User.objects.create_user(email="sms-bench@example.org", password=None, first_name="Bench", last_name="Mark")
    membership_set(user=user, organization=site, role=Membership.Role.WORKER)
    seeker = Seeker.objects_across_tenants.create(
        organization=site, first_name="Pat", last_name="Bench", phone="+13125550142", contact_preference="text"
    )
    return referral_create(actor=user, seeker=seeker, program=program, consent_method="verbal")


if __name__ == "__main__":
    main()
