"""Benchmark of the network scorecard's counting (not a test), on a copy of the 1,000,000-referral database.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/rn_bench_kept DJANGO_SETTINGS_MODULE=bench.settings \
        .venv/bin/python bench/scorecard_bench.py

The database must be migrated and its kept counts recounted once (``manage.py recount_scorecard``). Times,
after a warm-up (the comparison below): the figures summed from the kept counts (``NetworkFigures``: the page's first
rows, and every row as the CSV downloads count them) and the same figures counted from the referrals
(``CountedNetworkFigures``, what the page did before), for the default period (90 days) and a year; then the
whole page (``/reports/network/``, the 5-minute cache off) through Django's test client. Median, 95th
percentile, the CPU the work cost in this process and its PostgreSQL backend (from /proc: what it would take on an
idle machine; ticks of 10 ms) and queries; the figures of both ways are compared, row for row.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.cpu import backend_cpu_seconds  # noqa: E402 (after the path is set)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")  # production's database options (JIT off)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--reference-runs", type=int, default=5)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import User
    from reports.selectors import PAGE_ROW_LIMIT, CountedNetworkFigures, NetworkFigures, Period

    settings.NETWORK_SCORECARD_SECONDS = 0
    settings.ALLOWED_HOSTS = ["testserver"]
    today = timezone.localdate()
    periods = {
        "90 days": Period.default(today),
        "a year": Period(start=today - timedelta(days=364), end=today),
    }

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    cpu = []

    def timed(make, runs):
        times, queries = [], 0
        cpu.clear()
        for _ in range(runs):
            with CaptureQueriesContext(connection) as captured:
                cpu_before = time.process_time() + backend_cpu_seconds(backend)
                started = time.perf_counter()
                make().parts()
                times.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() + backend_cpu_seconds(backend) - cpu_before) * 1000)
            queries = len(captured.captured_queries)
            reset_queries()
        return times, queries

    def line(label, times, queries):
        print(
            f"| {label} | {statistics.median(times):.1f} | {percentile(times, 0.95):.1f}"
            f" | {statistics.median(cpu):.0f} | {queries} | {len(times)} |"
        )

    print(f"load average before: {os.getloadavg()}")
    print("| counting | median ms | p95 ms | CPU median ms (Python + PostgreSQL) | queries | runs |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, period in periods.items():
        now = timezone.now()
        for limit, label in ((PAGE_ROW_LIMIT, "page rows"), (None, "every row (CSV)")):
            kept = NetworkFigures(period=period, now=now, row_limit=limit)
            counted = CountedNetworkFigures(period=period, now=now, row_limit=limit)
            assert kept.parts() == counted.parts(), f"kept and counted figures differ for {name}, {label}"
            times, queries = timed(
                lambda p=period, n=now, lim=limit: NetworkFigures(period=p, now=n, row_limit=lim), args.runs
            )
            line(f"kept counts, {name}, {label}", times, queries)
        times, queries = timed(
            lambda p=period: CountedNetworkFigures(period=p, now=timezone.now(), row_limit=PAGE_ROW_LIMIT),
            args.reference_runs,
        )
        line(f"counted from the referrals (before), {name}, page rows", times, queries)

    admin = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        email="scorecard-bench@bench.example", password="bench-password"
    )
    client = Client()
    client.force_login(admin)
    client.get("/reports/network/")
    times, queries = [], 0
    cpu.clear()
    for _ in range(args.runs):
        with CaptureQueriesContext(connection) as captured:
            cpu_before = time.process_time() + backend_cpu_seconds(backend)
            started = time.perf_counter()
            response = client.get("/reports/network/")
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() + backend_cpu_seconds(backend) - cpu_before) * 1000)
        assert response.status_code == 200
        queries = len(captured.captured_queries)
    line("the page, 90 days, cache off (whole request)", times, queries)
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
