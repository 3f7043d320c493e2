"""Benchmark of the report pages (not a test): 1,000,000 referrals, one organization with 100,000.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rn_bench_reports python bench/reports_bench.py

Builds the database once (it is reused by later runs; ``--rebuild`` starts again), then times the
organization report of the big organization and the network scorecard, each for the default period
(the last 90 days) and for the whole year: server time measured around Django's test client (URL
routing, views, queries, templates; no network), median and 95th percentile of several runs, and the
number of queries. Beside the wall-clock time it reports the CPU time the request used in this process
and in its PostgreSQL backend (from /proc): on a machine shared with other work, that is what the page
would take on an idle one. ``--explain`` prints the slowest queries of one run.

The data are written with PostgreSQL's COPY. Referrals carry every column the reports read; the
guardian grants and history events that the services would also write are left out, since the reports
never read them. The settings are ``referrals_site.settings.test`` (DEBUG off, no secrets needed).
Self-contained on purpose: the general 1M generator elsewhere in bench/ may change under it.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import random
import statistics
import sys
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.cpu import backend_cpu_seconds  # noqa: E402 (after the path is set)

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/rn_bench_reports")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "referrals_site.settings.test")

TOTAL_REFERRALS = 1_000_000
BIG_ORGANIZATION_REFERRALS = 100_000
SITES = 100  # the big one and 99 others
PROVIDERS = 40
PROGRAMS_PER_PROVIDER = 10
BIG_PROGRAMS = 10  # the big organization is also a provider
WORKERS_PER_SITE = 10
BIG_WORKERS = 50
TEAMS_PER_SITE = 3
BIG_TEAMS = 6
REFERRALS_PER_SEEKER = 5
CATEGORIES = [
    "Food",
    "Housing",
    "Health",
    "Legal",
    "Jobs",
    "Transit",
    "Utilities",
    "Childcare",
    "Education",
    "Mental health",
]
ZIP_CODES = [f"606{n:02d}" for n in range(1, 61)]
BIG_SLUG = "bench-big-site"
RUNS = 9


def setup_django():
    from bench.database import ensure_database

    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# ------------------------------------------------------------------------------------------- COPY helpers


def _copy_value(value) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (dict, list)):
        value = json.dumps(value)
    elif isinstance(value, (datetime, date)):
        value = value.isoformat()
    value = str(value)
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _filled_columns(model, given: set) -> list:
    """(column, producer) for every concrete column we do not set per row: its default, NULL or ''."""
    from django.db import models

    filled = []
    for field in model._meta.concrete_fields:
        if field.attname in given or field.primary_key:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            from django.utils import timezone

            filled.append((field.column, timezone.now))
        elif field.has_default():
            if callable(field.default):  # uuid4, now, list: a fresh value per row
                filled.append((field.column, field.get_default))
            else:
                filled.append((field.column, lambda value=field.default: value))
        elif field.null:
            filled.append((field.column, lambda: None))
        elif isinstance(field, (models.CharField, models.TextField)):
            filled.append((field.column, lambda: ""))
        else:
            raise RuntimeError(f"The bench does not know how to fill {model.__name__}.{field.name}")
    return filled


def copy_rows(model, columns: list[str], rows, chunk: int = 100_000) -> int:
    """COPY ``rows`` (tuples in ``columns`` order, model attnames) into ``model``'s table."""
    from django.db import connection

    fields = {field.attname: field.column for field in model._meta.concrete_fields}
    filled = _filled_columns(model, set(columns))
    column_sql = ", ".join(f'"{fields[name]}"' for name in columns) + "".join(f', "{column}"' for column, _ in filled)
    producers = [producer for _, producer in filled]
    sql = f'COPY "{model._meta.db_table}" ({column_sql}) FROM STDIN'
    written = 0
    buffer = io.StringIO()
    with connection.cursor() as cursor:
        raw = cursor.cursor
        for row in rows:
            values = [*row, *(producer() for producer in producers)]
            buffer.write("\t".join(_copy_value(value) for value in values) + "\n")
            written += 1
            if written % chunk == 0:
                buffer.seek(0)
                raw.copy_expert(sql, buffer)
                buffer = io.StringIO()
        buffer.seek(0)
        raw.copy_expert(sql, buffer)
    return written


def next_id(model) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{model._meta.db_table}"')
        return cursor.fetchone()[0]


def reset_sequence(model):
    from django.db import connection

    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT MAX(id) FROM \"{table}\"))")


# ------------------------------------------------------------------------------------------- the network


def build(*, total: int = TOTAL_REFERRALS, big_count: int = BIG_ORGANIZATION_REFERRALS, seed: int = 7):
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import Membership, TeamMembership, User
    from accounts.services import organization_create, team_create
    from programs.models import Category
    from programs.services import program_create
    from referrals.models import Referral
    from seekers.models import Seeker

    rng = random.Random(seed)
    started = time.perf_counter()
    password = make_password("bench-password")
    now = timezone.now()
    with transaction.atomic():
        categories = [
            Category.objects.get_or_create(slug=f"bench-{name.lower().replace(' ', '-')}", defaults={"name": name})[0]
            for name in CATEGORIES
        ]
        sites, site_workers, site_teams = [], {}, {}
        users, memberships = [], []
        for index in range(SITES):
            big = index == 0
            organization = organization_create(
                name="Bench Big Site" if big else f"Bench Site {index:03d}",
                slug=BIG_SLUG if big else f"bench-site-{index:03d}",
                runs_site=True,
            )
            sites.append(organization)
            teams = [
                team_create(organization=organization, name=f"Team {t}", shares_outbound=t % 2 == 0)
                for t in range(BIG_TEAMS if big else TEAMS_PER_SITE)
            ]
            site_teams[organization.pk] = teams
            count = BIG_WORKERS if big else WORKERS_PER_SITE
            site_workers[organization.pk] = []
            for w in range(count):
                users.append(
                    User(
                        email=f"worker{w}@{organization.slug}.bench",
                        first_name=f"Worker{w}",
                        last_name=organization.name.split()[-1],
                        password=password,
                    )
                )
                site_workers[organization.pk].append((len(users) - 1, teams[w % len(teams)]))
        User.objects.bulk_create(users, batch_size=2000)
        saved = {user.email: user for user in User.objects.filter(email__endswith=".bench")}
        team_members = []
        for organization in sites:
            resolved = []
            for position, team in site_workers[organization.pk]:
                user = saved[users[position].email]
                memberships.append(
                    Membership(user=user, organization=organization, role=Membership.Role.WORKER, joined_at=now)
                )
                team_members.append(TeamMembership(team=team, user=user, joined_at=now))
                resolved.append((user.pk, team.pk))
            site_workers[organization.pk] = resolved
        Membership.objects.bulk_create(memberships, batch_size=2000)
        TeamMembership.objects.bulk_create(team_members, batch_size=2000)
        admin = User.objects.create_user(
            email="admin@bench-big-site.bench", password="bench-password", first_name="Big", last_name="Admin"
        )
        Membership.objects.create(user=admin, organization=sites[0], role=Membership.Role.ADMIN, joined_at=now)
        admin.groups.add(sites[0].admin_group)
        if not User.objects.filter(email="network@bench.bench").exists():
            User.objects.create_superuser(
                email="network@bench.bench", password="bench-password", first_name="Network", last_name="Admin"
            )

        programs = []  # (id, organization id)
        providers = [sites[0]] + [
            organization_create(name=f"Bench Provider {p:02d}", slug=f"bench-provider-{p:02d}", runs_site=False)
            for p in range(PROVIDERS)
        ]
        for provider in providers:
            for number in range(BIG_PROGRAMS if provider is sites[0] else PROGRAMS_PER_PROVIDER):
                program = program_create(
                    organization=provider,
                    name=f"{provider.name} program {number}",
                    categories=rng.sample(categories, k=rng.choice([1, 1, 2])),
                    expected_response_hours=rng.choice([24, 48, 72, 72, 120]),
                    zip_code=rng.choice(ZIP_CODES),
                )
                programs.append(program.pk)
    print(f"organizations, people and programs: {time.perf_counter() - started:.1f} s", flush=True)

    # Referrals per site: the big one has 100,000; the others share the rest.
    others = (total - big_count) // (SITES - 1)
    plan = [(sites[0], big_count)] + [(site, others) for site in sites[1:]]
    plan[-1] = (plan[-1][0], others + total - big_count - others * (SITES - 1))

    seeker_id = next_id(Seeker)
    seekers = []  # (organization id, first seeker id, count)
    seeker_rows = []
    for site, count in plan:
        needed = math.ceil(count / REFERRALS_PER_SEEKER)
        seekers.append((site.pk, seeker_id, needed))
        for offset in range(needed):
            seeker_rows.append((seeker_id + offset, site.pk, "Seeker", f"S{seeker_id + offset}", rng.choice(ZIP_CODES)))
        seeker_id += needed
    with transaction.atomic():
        copy_rows(Seeker, ["id", "organization_id", "first_name", "last_name", "zip_code"], seeker_rows)
        reset_sequence(Seeker)
    print(f"{len(seeker_rows):,} seekers: {time.perf_counter() - started:.1f} s", flush=True)

    statuses_open = ["sent", "viewed", "accepted", "waitlisted", "in_service", "needs_client_action"]
    declines = ["not_eligible", "no_capacity", "out_of_area", "other"]
    year = timedelta(days=365).total_seconds()

    def referrals():
        # Referrals arrive in time order, every site's mixed with the others', as they would in production
        # (the physical order of the rows decides which index PostgreSQL prefers).
        order = [index for index, (_, count) in enumerate(plan) for _ in range(count)]
        rng.shuffle(order)
        made = [0] * len(plan)
        step = year / len(order)
        for position, site_index in enumerate(order):
            site = plan[site_index][0]
            first_seeker = seekers[site_index][1]
            number = made[site_index]
            made[site_index] += 1
            workers = site_workers[site.pk]
            seeker = first_seeker + number // REFERRALS_PER_SEEKER
            # The referrals of one seeker go to different programs (one open referral per pair).
            program = programs[(seeker * 7 + number % REFERRALS_PER_SEEKER) % len(programs)]
            worker, team = workers[number % len(workers)]
            sent = now - timedelta(seconds=year - position * step - rng.random() * step)
            answered = rng.random() < 0.75
            response = sent + timedelta(hours=rng.lognormvariate(3.0, 1.2)) if answered else None
            if response and response > now:
                response = None
            roll = rng.random()
            reason, seeker_word, program_word = "", "", ""
            if roll < 0.01:
                status = "entered_in_error"
            elif response and roll < 0.35:
                status, program_word = "got_help", "got_help"
                if rng.random() < 0.05:
                    seeker_word = "not_completed"
            elif response and roll < 0.50:
                status, reason, program_word = "declined", rng.choice(declines), "declined"
            elif response and roll < 0.58:
                status, reason, program_word = "not_completed", "couldnt_contact", "not_completed"
                if rng.random() < 0.2:
                    seeker_word = "got_help"
            elif roll < 0.68:
                status = "withdrawn"
                reason = "expired_no_response" if not response else "no_longer_interested"
            else:
                status = rng.choice(statuses_open) if response else rng.choice(["sent", "viewed"])
            closed = None
            if status not in statuses_open:
                closed = min(now, (response or sent) + timedelta(days=rng.uniform(0, 30)))
            yield (
                str(uuid.uuid4()),
                site.pk,
                program,
                seeker,
                worker,
                team,
                status,
                reason,
                sent,
                response,
                closed,
                sent,
                seeker_word,
                program_word,
                sent,
                "verbal",
            )

    columns = [
        "public_id",
        "organization_id",
        "program_id",
        "seeker_id",
        "referred_by_id",
        "referred_by_team_id",
        "status",
        "status_reason",
        "sent_at",
        "first_response_at",
        "closed_at",
        "updated_at",
        "seeker_outcome",
        "program_outcome",
        "consent_given_at",
        "consent_method",
    ]
    with transaction.atomic():
        written = copy_rows(Referral, columns, referrals())
    print(f"{written:,} referrals: {time.perf_counter() - started:.1f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"built and analysed in {time.perf_counter() - started:.1f} s", flush=True)


def drop_bench_data():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        name = cursor.fetchone()[0]
    if "bench" not in name:
        raise SystemExit(f"--rebuild only empties a bench database; this one is {name!r}.")
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)


# ------------------------------------------------------------------------------------------- timing


def percentile(values, fraction):
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    lower, upper = math.floor(position), math.ceil(position)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def time_page(client, url, params, *, runs=RUNS, explain=False):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, params)  # warm the caches and the connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    times, cpu_times, query_counts = [], [], []
    slowest = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            cpu_start = time.process_time() + backend_cpu_seconds(backend)
            start = time.perf_counter()
            response = client.get(url, params)
            times.append((time.perf_counter() - start) * 1000)
            cpu_times.append((time.process_time() + backend_cpu_seconds(backend) - cpu_start) * 1000)
        assert response.status_code == 200, response.status_code
        query_counts.append(len(queries))
        slowest = sorted(queries.captured_queries, key=lambda q: float(q["time"]), reverse=True)[:5]
    result = {
        "median_ms": statistics.median(times),
        "p95_ms": percentile(times, 0.95),
        "cpu_median_ms": statistics.median(cpu_times),
        "cpu_p95_ms": percentile(cpu_times, 0.95),
        "queries": max(query_counts),
        "runs": runs,
    }
    if explain:
        for query in slowest:
            print(f"    {float(query['time']) * 1000:7.1f} ms  {query['sql'][:160]}")
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rebuild", action="store_true", help="empty the bench database and build it again")
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--total", type=int, default=TOTAL_REFERRALS, help="referrals to build (first run)")
    parser.add_argument(
        "--big", type=int, default=BIG_ORGANIZATION_REFERRALS, help="of which the big organization sends (first run)"
    )
    parser.add_argument("--explain", action="store_true", help="print the slowest queries of each page")
    arguments = parser.parse_args()
    setup_django()

    from django.test import Client
    from django.utils import timezone

    from accounts.models import Organization, User
    from referrals.models import Referral

    if arguments.rebuild:
        drop_bench_data()
    if not Organization.objects.filter(slug=BIG_SLUG).exists():
        build(total=arguments.total, big_count=arguments.big)
    big = Organization.objects.get(slug=BIG_SLUG)
    total = Referral.objects.unscoped("benchmark size").count()
    outbound = Referral.objects.for_organization(big).count()
    inbound = Referral.objects.unscoped("benchmark size").filter(program__organization=big).count()
    print(f"database: {total:,} referrals; {big.name}: {outbound:,} sent, {inbound:,} received")
    print(f"machine: {os.cpu_count()} CPUs, {platform_line()}")

    client = Client()
    admin = User.objects.get(email="admin@bench-big-site.bench")
    network_admin = User.objects.get(email="network@bench.bench")
    today = timezone.localdate()
    year = {"start": (today - timedelta(days=364)).isoformat(), "end": today.isoformat()}
    for who, url, label in [
        (admin, "/reports/", "organization report"),
        (network_admin, "/reports/network/", "network scorecard"),
    ]:
        client.force_login(who)
        for period_label, params in [("last 90 days", {}), ("last 365 days", year)]:
            result = time_page(client, url, params, runs=arguments.runs, explain=arguments.explain)
            print(
                f"{label}, {period_label}: wall median {result['median_ms']:.0f} ms, p95 {result['p95_ms']:.0f} ms; "
                f"CPU (Django + PostgreSQL) median {result['cpu_median_ms']:.0f} ms, p95 {result['cpu_p95_ms']:.0f} ms; "
                f"{result['queries']} queries ({result['runs']} runs, load average {os.getloadavg()[0]:.1f})",
                flush=True,
            )


def platform_line() -> str:
    import platform

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    return f"Python {platform.python_version()}, PostgreSQL {version}, {platform.platform()}"


if __name__ == "__main__":
    main()
