"""Benchmark: how many emails per second one Celery worker delivers from the outbox.

Not a test. It queues N outbox messages (one task each, all attached to one referral, so every delivery
also writes its "email sent" history event as in production), then starts one worker node and measures
from the first message sent to the last. Mail goes to Django's locmem backend, so the number measures
our pipeline (Redis, the row claim, the lease, marking sent, the history event), not a mail provider.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rn_notify_bench \
    REDIS_URL=redis://127.0.0.1:6379/3 .venv/bin/python bench/notifications_bench.py --messages 10000

It uses production settings (DEBUG off, persistent database connections), creates the database if it is
missing and migrates it, and empties the Redis database it is given (use one nothing else uses).
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
os.environ.setdefault("ALLOW_CONSOLE_EMAIL", "true")  # the benchmark measures our side, not a provider
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
os.environ.setdefault("LOG_LEVEL", "WARNING")


def ensure_database(url: str) -> None:
    import dj_database_url
    import psycopg2

    config = dj_database_url.parse(url)
    connection = psycopg2.connect(
        host=config["HOST"],
        port=config["PORT"] or 5432,
        user=config["USER"],
        password=config["PASSWORD"] or None,
        dbname="postgres",
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{config["NAME"]}"')
    connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument(
        "--concurrency",
        type=int,
        default=os.cpu_count() or 2,
        help="the worker's processes (default: the machine's cores)",
    )
    parser.add_argument("--loglevel", default="WARNING")
    parser.add_argument("--pool", default="prefork", choices=["prefork", "solo", "threads"])
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get("REDIS_URL"):
        sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL (a Redis database nothing else uses).")
    ensure_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Max, Min
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from core.tasks import deliver_outbox_row
    from notifications.models import OutboxMessage
    from notifications.services import EMAIL_CHANNEL
    from referrals_site.celery import app

    referral = bench_referral()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE notifications_outboxmessage")
    with app.connection_for_write() as broker:
        broker.default_channel.client.flushdb()

    now = timezone.now()
    rows = [
        OutboxMessage(
            key=f"bench:{now.timestamp()}:{number}",
            kind=OutboxMessage.Kind.STATUS_CHANGED,
            referral=referral,
            recipient_email=f"person{number}@example.org",
            subject="Referral to Community Food Pantry: Accepted",
            body_text="Hello,\n\nThe referral is now: Accepted.\n" * 4,
            body_html="<p>Hello,</p><p>The referral is now: Accepted.</p>" * 4,
        )
        for number in range(args.messages)
    ]
    OutboxMessage.objects.bulk_create(rows, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE notifications_outboxmessage")
    ids = list(OutboxMessage.objects.values_list("pk", flat=True))
    started = time.monotonic()
    with app.producer_or_acquire() as producer:
        for outbox_id in ids:
            deliver_outbox_row.apply_async((EMAIL_CHANNEL, outbox_id), producer=producer)
    print(f"queued {len(ids)} messages in {time.monotonic() - started:.1f}s")

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
            "bench@%h",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        start_new_session=True,
    )
    try:
        sent = 0
        while sent < len(ids):
            time.sleep(1)
            sent = OutboxMessage.objects.filter(status=OutboxMessage.Status.SENT).count()
            if worker.poll() is not None:
                sys.exit("the worker stopped")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(60)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # the worker and its pool processes, once reaped
    worker_cpu = usage.ru_utime + usage.ru_stime
    span = OutboxMessage.objects.aggregate(first=Min("sent_at"), last=Max("sent_at"))
    seconds = (span["last"] - span["first"]).total_seconds()
    failed = OutboxMessage.objects.exclude(status=OutboxMessage.Status.SENT).count()
    print(
        f"delivered {len(ids)} emails in {seconds:.1f}s with one worker ({args.pool}, concurrency "
        f"{args.concurrency}) on {os.cpu_count()} cores: {len(ids) / seconds:.0f} emails/second; "
        f"not sent: {failed}; load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"worker CPU: {worker_cpu:.1f}s in all, {worker_cpu / len(ids) * 1000:.2f} ms per email (start-up "
        f"included), so the worker alone could deliver {len(ids) / worker_cpu:.0f} emails/second per core "
        f"it has to itself (PostgreSQL and Redis need CPU too)"
    )


def bench_referral():
    """One referral in a small network of its own, made through the services like any other."""
    from accounts.models import Membership, User
    from accounts.services import membership_set, organization_create
    from programs.services import program_create
    from referrals.models import Referral
    from referrals.services import referral_create
    from seekers.models import Seeker

    existing = Referral.objects_across_tenants.filter(program__name="Benchmark Pantry").first()
    if existing:
        return existing
    site = organization_create(name="Benchmark Site", slug="benchmark-site", runs_site=True)
    provider = organization_create(name="Benchmark Provider", slug="benchmark-provider", runs_site=False)
    program = program_create(organization=provider, name="Benchmark Pantry")
    user = User.objects.create_user(email="bench@example.org", password=None, first_name="Bench", last_name="Mark")
    membership_set(user=user, organization=site, role=Membership.Role.WORKER)
    seeker = Seeker.objects_across_tenants.create(
        organization=site,
        first_name="Pat",
        last_name="Bench",
        email="pat@example.org",
        contact_preference="do_not_contact",
    )
    return referral_create(actor=user, seeker=seeker, program=program, consent_method="verbal")


if __name__ == "__main__":
    main()
