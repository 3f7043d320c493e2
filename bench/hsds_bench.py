"""Benchmark of the HSDS import and export at directory scale (not a test): 50,000 services.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rn_bench_hsds .venv/bin/python bench/hsds_bench.py

Writes an HSDS 3.0 tabular data package of ``--services`` services (5,000 organizations, each service with a
location, address, phone, schedule, two languages, a service area and one or two of 200 taxonomy terms,
placed at real US zip codes), empties the directory of its own database (created when missing), then times,
through the management commands a network admin runs (their progress lines go to stderr as usual):

1. ``import_hsds PACKAGE`` into the empty directory;
2. ``import_hsds PACKAGE`` again (every service unchanged);
3. ``export_hsds FILE`` (every service, fully nested, one JSON list);
4. ``import_hsds FILE`` (our own export read back: every service unchanged);
5. the public API streaming every service fully nested (``GET /hsds/services?format=ndjson&full=true``).

Each step's wall-clock and CPU time (this process) go to stdout as a Markdown table and to
bench/results/hsds.json, with the machine and its load. Settings: ``referrals_site.settings.test`` (DEBUG off).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/rn_bench_hsds")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "referrals_site.settings.test")

RESULTS = Path(__file__).resolve().parent / "results"
SERVICES_PER_ORGANIZATION = 10
TERMS = 200
WORDS = (
    "food pantry shelter rent legal aid counseling clinic jobs training childcare transit utilities "
    "benefits tax help youth seniors veterans recovery meals housing health dental vision"
).split()


def write_package(folder: Path, services: int, seed: int = 20261206) -> None:
    """An HSDS 3.0 tabular data package (the CSV files import_hsds reads, and a datapackage.json)."""
    import zipcodes

    rng = random.Random(seed)
    places = [
        (z["zip_code"], z["city"], z["state"], z["lat"], z["long"])
        for z in zipcodes.list_all()
        if z.get("lat") and z["zip_code_type"] == "STANDARD"
    ]
    tables = {
        name: []
        for name in (
            "organization",
            "service",
            "location",
            "address",
            "service_at_location",
            "phone",
            "schedule",
            "language",
            "service_area",
            "taxonomy_term",
            "attribute",
        )
    }
    terms = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(TERMS)]
    for number, term in enumerate(terms):
        tables["taxonomy_term"].append(
            {
                "id": term,
                "code": f"T{number:03d}",
                "name": f"{WORDS[number % len(WORDS)]} {number}".title(),
                "description": f"Term {number}",
            }
        )

    def new_id() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    organization_id = None
    for number in range(services):
        if number % SERVICES_PER_ORGANIZATION == 0:
            organization_id = new_id()
            tables["organization"].append(
                {
                    "id": organization_id,
                    "name": f"Organization {number // 10:05d}",
                    "description": "A community organization.",
                }
            )
        service_id, location_id = new_id(), new_id()
        zip_code, city, state, latitude, longitude = rng.choice(places)
        words = " ".join(rng.sample(WORDS, 3))
        tables["service"].append(
            {
                "id": service_id,
                "organization_id": organization_id,
                "name": f"{words.title()} {number}",
                "description": f"Help with {words}, for everyone who needs it.",
                "status": rng.choice(["active"] * 9 + ["inactive"]),
                "email": f"service{number}@example.org",
                "url": f"https://example.org/services/{number}",
                "application_process": "Call or walk in.",
                "eligibility_description": "Residents of the area.",
                "minimum_age": rng.choice(["", "", "18", "12"]),
                "maximum_age": "",
            }
        )
        tables["location"].append(
            {
                "id": location_id,
                "location_type": "physical",
                "name": f"Site {number}",
                "latitude": latitude,
                "longitude": longitude,
            }
        )
        tables["address"].append(
            {
                "id": new_id(),
                "location_id": location_id,
                "address_1": f"{number} Main St",
                "city": city,
                "state_province": state,
                "postal_code": zip_code,
                "country": "US",
                "address_type": "physical",
            }
        )
        tables["service_at_location"].append({"id": new_id(), "service_id": service_id, "location_id": location_id})
        tables["phone"].append({"id": new_id(), "service_id": service_id, "number": f"(555) 010-{number % 10000:04d}"})
        tables["schedule"].append(
            {"id": new_id(), "service_id": service_id, "byday": "MO,WE,FR", "opens_at": "09:00", "closes_at": "17:00"}
        )
        for code, name in (("en", "English"), rng.choice([("es", "Spanish"), ("pl", "Polish"), ("vi", "Vietnamese")])):
            tables["language"].append({"id": new_id(), "service_id": service_id, "code": code, "name": name})
        tables["service_area"].append(
            {
                "id": new_id(),
                "service_id": service_id,
                "name": f"Zip code {zip_code}",
                "extent": zip_code,
                "extent_type": "text",
            }
        )
        for term in rng.sample(terms, rng.choice([1, 2])):
            tables["attribute"].append(
                {
                    "id": new_id(),
                    "link_id": service_id,
                    "link_entity": "service",
                    "link_type": "category",
                    "taxonomy_term_id": term,
                }
            )
    resources = []
    for name, rows in tables.items():
        columns = list(dict.fromkeys(key for row in rows for key in row))
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
        resources.append({"name": name, "path": f"{name}.csv"})
    (folder / "datapackage.json").write_text(json.dumps({"name": "bench", "resources": resources}))


def empty_directory() -> None:
    from django.contrib.auth.models import Group
    from django.db import connection

    from accounts.models import Organization
    from programs.models import Category, Program

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM referrals_referral")
        if cursor.fetchone()[0]:
            raise SystemExit("The benchmark database has referrals: give it a database of its own.")
    groups = list(Program.objects_across_tenants.values_list("group_id", flat=True)) + list(
        Organization.objects.filter(memberships__isnull=True).values_list("admin_group_id", flat=True)
    )
    Program.categories.through.objects.all().delete()
    Program.objects_across_tenants.all().delete()
    Organization.objects.filter(memberships__isnull=True).delete()
    Category.objects.all().delete()
    Group.objects.filter(pk__in=groups).delete()


def backend_cpu_seconds() -> float:
    """CPU time (user + system) of the PostgreSQL backend serving this process's connection, from /proc."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(label: str, work) -> dict:
    """Wall-clock time, and the CPU time of this process and of its PostgreSQL backend: on a machine shared
    with other work the wall-clock time is mostly waiting for a core; the CPU times are what the step costs."""
    started, cpu, backend = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF), backend_cpu_seconds()
    outcome = work()
    ended, backend = resource.getrusage(resource.RUSAGE_SELF), backend_cpu_seconds() - backend
    seconds = time.perf_counter() - started
    cpu_seconds = (ended.ru_utime - cpu.ru_utime) + (ended.ru_stime - cpu.ru_stime)
    print(
        f"   {label}: {seconds:.1f} s wall, {cpu_seconds:.1f} s CPU here + {backend:.1f} s in PostgreSQL — {outcome}",
        file=sys.stderr,
        flush=True,
    )
    return {
        "step": label,
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu_seconds, 1),
        "postgres_cpu_seconds": round(backend, 1),
        "outcome": outcome,
    }


def machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    return (
        f"{os.cpu_count()} cores ({model}), {memory_kb / 1024 / 1024:.0f} GB RAM, PostgreSQL {postgres}, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=50_000)
    args = parser.parse_args()
    from bench.database import ensure_database

    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    # One connection throughout (the API request would close it at its end), so that its backend's CPU time
    # is this run's.
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    empty_directory()
    load_before = os.getloadavg()
    steps = []
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary) / "package"
        folder.mkdir()
        export_file = Path(temporary) / "directory.json"
        print(f"== writing an HSDS 3.0 package of {args.services:,} services", file=sys.stderr)
        write_package(folder, args.services)

        def run(*command) -> str:
            from io import StringIO

            out = StringIO()
            call_command(*command, stdout=out)
            return out.getvalue().strip().splitlines()[-1]

        print("== import_hsds (progress lines as an admin sees them)", file=sys.stderr)
        steps.append(timed("import_hsds, a package into an empty directory", lambda: run("import_hsds", str(folder))))
        steps.append(timed("import_hsds, the same package again", lambda: run("import_hsds", str(folder))))
        steps.append(
            timed(
                "export_hsds, every service to one JSON file",
                lambda: run("export_hsds", str(export_file), "--progress-every", "10000").replace(
                    str(export_file), export_file.name
                ),
            )
        )
        size = export_file.stat().st_size
        steps.append(
            timed(
                "import_hsds, our own export read back",
                lambda: run("import_hsds", str(export_file), "--progress-every", "10000"),
            )
        )

        def stream() -> str:
            response = Client().get("/hsds/services", {"format": "ndjson", "full": "true"})
            lines = sum(chunk.count(b"\n") for chunk in response.streaming_content)
            return f"{lines:,} services streamed"

        steps.append(timed("GET /hsds/services?format=ndjson&full=true", stream))
    result = {
        "services": args.services,
        "export_megabytes": round(size / 1e6, 1),
        "steps": steps,
        "machine": machine(),
        "load_before": [round(value, 2) for value in load_before],
        "load_after": [round(value, 2) for value in os.getloadavg()],
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "hsds.json").write_text(json.dumps(result, indent=2))
    record(result)
    print(markdown(result))


def record(result: dict) -> None:
    """Writes (or replaces) this benchmark's section of bench/RESULTS.md; bench/report.py keeps it."""
    results_md = Path(__file__).resolve().parent / "RESULTS.md"
    section = "\n".join(
        [
            "<!-- hsds_bench -->",
            "## HSDS import and export at 50,000 services",
            "",
            "`bench/hsds_bench.py`, run by hand (see its docstring and the README).",
            "",
            markdown(result),
            "<!-- /hsds_bench -->",
        ]
    )
    text = results_md.read_text() if results_md.exists() else "# Benchmark results\n"
    start, end = text.find("<!-- hsds_bench -->"), text.find("<!-- /hsds_bench -->")
    if start >= 0 and end > start:
        text = text[:start] + section + text[end + len("<!-- /hsds_bench -->") :]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    results_md.write_text(text)


def markdown(result: dict) -> str:
    lines = [
        f"{result['services']:,} services, {result['when']}, on {result['machine']}; load average "
        f"{' / '.join(map(str, result['load_before']))} before, {' / '.join(map(str, result['load_after']))} "
        f"after. The export is {result['export_megabytes']} MB.",
        "",
        "| step | wall s | CPU s (Python) | CPU s (PostgreSQL) | outcome |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    lines += [
        f"| {step['step']} | {step['seconds']} | {step['cpu_seconds']} | {step['postgres_cpu_seconds']} | "
        f"{step['outcome']} |"
        for step in result["steps"]
    ]
    slowest = max(result["steps"], key=lambda step: step["cpu_seconds"] + step["postgres_cpu_seconds"])
    cpu = slowest["cpu_seconds"] + slowest["postgres_cpu_seconds"]
    wall = max(step["seconds"] for step in result["steps"])
    lines += [
        "",
        f"Target: each step under a minute. Wall-clock: {'met' if wall < 60 else 'missed'} (slowest "
        f"{wall} s). CPU (Python and PostgreSQL together, what a step costs when it has a core to itself): "
        f"{'met' if cpu < 60 else 'missed'} (slowest {slowest['step']}, {cpu:.1f} s).",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
