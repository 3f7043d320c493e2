"""What the outbox benchmarks share (bench/notifications_bench.py: email; bench/sms_bench.py: texts).

Each writes N rows of its channel about one referral (so every delivery writes its history line, as in
production), queues one delivery task per row, starts one ``celery worker`` node and measures from the first
row done to the last: rows a second, and the worker's CPU per row (load-independent: what a row costs when the
worker has a core to itself). ``--in-process`` instead delivers the rows in this process through
``core.outbox.deliver`` in a loop (no Celery, no Redis round trip), and ``--profile`` does so under
pyinstrument and prints where the time goes.

They use production settings (DEBUG off, persistent database connections), create the database if it is
missing and migrate it, and empty the Redis database they are given (use one nothing else uses).
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def production_environment(**extra: str) -> None:
    """Production settings for a benchmark run, with mail to Django's locmem backend and ``extra``."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "referrals_site.settings.prod"
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret")
    os.environ.setdefault("ALLOWED_HOSTS", "localhost")
    os.environ.setdefault("SITE_URL", "http://localhost")
    os.environ.setdefault("ALLOW_CONSOLE_EMAIL", "true")  # the benchmark measures our side, not a provider
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.update(extra)


def arguments(description: str, *, count_flag: str, default: int) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(f"--{count_flag}", dest="count", type=int, default=default)
    parser.add_argument(
        "--concurrency",
        type=int,
        default=8,
        help="the worker's processes (default: 8, as `make worker` and docker-compose.yml run it)",
    )
    parser.add_argument("--pool", default="prefork", choices=["prefork", "solo", "threads"])
    parser.add_argument("--loglevel", default="WARNING")
    parser.add_argument(
        "--in-process", action="store_true", help="deliver in this process (core.outbox.deliver in a loop)"
    )
    parser.add_argument("--profile", action="store_true", help="--in-process under pyinstrument")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get("REDIS_URL"):
        sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL (a Redis database nothing else uses).")
    return args


def setup_django() -> None:
    from bench.database import ensure_database

    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def bench_referral(*, prefix: str, email: str, seeker_fields: dict):
    """One referral in a small network of its own (``prefix`` names it), made through the services."""
    from accounts.models import Membership, User
    from accounts.services import membership_set, organization_create
    from programs.services import program_create
    from referrals.models import Referral
    from referrals.services import referral_create
    from seekers.models import Seeker

    existing = Referral.objects_across_tenants.filter(program__name=f"{prefix} Pantry").first()
    if existing:
        return existing
    slug = prefix.lower().replace(" ", "-")
    site = organization_create(name=f"{prefix} Site", slug=f"{slug}-site", runs_site=True)
    provider = organization_create(name=f"{prefix} Provider", slug=f"{slug}-provider", runs_site=False)
    program = program_create(organization=provider, name=f"{prefix} Pantry")
    user = User.objects.create_user(email=email, password=None, first_name="Bench", last_name="Mark")
    membership_set(user=user, organization=site, role=Membership.Role.WORKER)
    seeker = Seeker.objects_across_tenants.create(
        organization=site, first_name="Pat", last_name="Bench", **seeker_fields
    )
    return referral_create(actor=user, seeker=seeker, program=program, consent_method="verbal")


@dataclass
class Result:
    rows: int
    seconds: float
    cpu_seconds: float
    not_done: int
    load: float

    @property
    def per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else float("inf")

    @property
    def cpu_ms_per_row(self) -> float:
        return self.cpu_seconds / self.rows * 1000


def run(*, args, channel: str, make_rows: Callable[[int], list], noun: str) -> Result:
    """Writes ``make_rows(count)`` (unsaved rows of ``channel``'s model) into an empty table, delivers them
    (one worker, or in this process) and prints what it measured."""
    from django.db import connection
    from django.db.models import Max, Min

    from core import outbox

    model = outbox.get_channel(channel).model
    done_at = model.DONE_AT_FIELD
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {model._meta.db_table}")
    model.objects.bulk_create(make_rows(args.count), batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    ids = list(model.objects.order_by("pk").values_list("pk", flat=True))
    if args.in_process or args.profile:
        cpu = _deliver_in_process(channel, ids, profile=args.profile)
        where = "in this process (no Celery)"
    else:
        cpu = _deliver_with_a_worker(args, channel, ids, model)
        where = f"with one worker ({args.pool}, concurrency {args.concurrency})"
    span = model.objects.aggregate(first=Min(done_at), last=Max(done_at))
    result = Result(
        rows=len(ids),
        seconds=(span["last"] - span["first"]).total_seconds(),
        cpu_seconds=cpu,
        not_done=model.objects.exclude(status=model.DONE_STATUS).count(),
        load=os.getloadavg()[0],
    )
    print(
        f"delivered {result.rows} {noun}s in {result.seconds:.1f}s {where} on {os.cpu_count()} cores: "
        f"{result.per_second:.0f} {noun}s/second; not sent: {result.not_done}; load average {result.load:.1f}"
    )
    print(
        f"CPU: {cpu:.1f}s in all, {result.cpu_ms_per_row:.2f} ms per {noun}"
        f"{' (worker start-up included)' if not (args.in_process or args.profile) else ''}, so it alone could "
        f"deliver {1000 / result.cpu_ms_per_row:.0f} {noun}s/second per core it has to itself "
        f"(PostgreSQL and Redis need CPU too)"
    )
    return result


def _deliver_in_process(channel: str, ids: list[int], *, profile: bool) -> float:
    from core import outbox

    outbox.deliver(channel, ids[0])  # warm: imports, connections, the provider client
    profiler = None
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
    started = time.thread_time()  # this thread only: a stand-in provider serving from another is left out
    for row_id in ids[1:]:
        outbox.deliver(channel, row_id)
    cpu = time.thread_time() - started
    if profiler is not None:
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False, show_all=False))
    return cpu * len(ids) / max(len(ids) - 1, 1)


def _deliver_with_a_worker(args, channel: str, ids: list[int], model) -> float:
    from core.tasks import deliver_outbox_row
    from referrals_site.celery import app

    with app.connection_for_write() as broker:
        broker.default_channel.client.flushdb()
    started = time.monotonic()
    with app.producer_or_acquire() as producer:
        for row_id in ids:
            deliver_outbox_row.apply_async((channel, row_id), producer=producer)
    print(f"queued {len(ids)} rows in {time.monotonic() - started:.1f}s")
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
            f"{channel}-bench@%h",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        start_new_session=True,
    )
    try:
        done = 0
        while done < len(ids):
            time.sleep(1)
            done = model.objects.filter(status__in=[model.DONE_STATUS, model.FAILED]).count()
            if worker.poll() is not None:
                sys.exit("the worker stopped")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(60)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # the worker and its pool processes, once reaped
    return usage.ru_utime + usage.ru_stime
