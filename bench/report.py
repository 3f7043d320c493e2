"""Write bench/RESULTS.md from bench/results/*.json, with the machine and the date, and bench/NOTES.md (why)."""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
P95_TARGET_MS = 50  # issue 18, target 1
RATIO_TARGET = 2.0
YEAR_REPORT_TARGET_MS = 200  # a year's organization report (its own target, issue 18 item 3)
RPS_TARGET = 100
HSDS_SECTION = re.compile(r"<!-- hsds_bench -->.*?<!-- /hsds_bench -->", re.DOTALL)
# The public directory measured on its own (bench/README.md, "The public directory"): kept as it was written.
FIND_SECTION = re.compile(r"<!-- find_bench -->.*?<!-- /find_bench -->", re.DOTALL)
# Pages measured by hand beside the code before a change (bench/NOTES.md, issue 18): kept until the next such run.
BY_HAND_SECTION = re.compile(r"<!-- by_hand_bench -->.*?<!-- /by_hand_bench -->", re.DOTALL)


def _run(command) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return ""


def machine() -> str:
    lscpu = _run(["lscpu"])
    model = next(
        (line.split(":", 1)[1].strip() for line in lscpu.splitlines() if line.startswith("Model name")),
        platform.processor(),
    )
    memory_kb = next(
        (
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    postgres = _run(["psql", "postgres://postgres@127.0.0.1:5432/postgres", "-tAc", "SHOW server_version"])
    return (
        f"{os.cpu_count()} cores ({model}), {memory_kb / 1024 / 1024:.0f} GB RAM, PostgreSQL {postgres}, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def _load(name):
    path = RESULTS / name
    return json.loads(path.read_text()) if path.exists() else None


def _verdict(result) -> str:
    if result.get("key", "").startswith("report_year"):  # issue 18: a year's organization report under 200 ms
        p95 = result["page_p95_ms"]
        return "met (p95 < 200 ms)" if p95 < YEAR_REPORT_TARGET_MS else f"missed: p95 {p95} ms, over 200"
    misses = []
    if result["page_p95_ms"] > P95_TARGET_MS:
        misses.append(f"p95 {result['page_p95_ms'] - P95_TARGET_MS:+.0f} ms over {P95_TARGET_MS}")
    if result["ratio_median"] > RATIO_TARGET:
        if result.get("key") == "report_counted":
            # The counting itself: what a view waits for when nothing is kept or counted ahead (reports.ahead).
            misses.append(f"{result['ratio_median']}× its floor: the counting itself, waited for when nothing is kept")
        else:
            misses.append(f"{result['ratio_median']}× its floor")
    return "met" if not misses else "missed: " + ", ".join(misses)


def _table(measured) -> list[str]:
    lines = [
        "| page | median ms | p95 ms | queries | floor median ms | floor p95 ms | floor queries | page/floor "
        f"(median) | target (p95 < {P95_TARGET_MS} ms, ≤ {RATIO_TARGET:g}× floor) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in measured["results"]:
        lines.append(
            f"| {r['label']} | {r['page_median_ms']} | {r['page_p95_ms']} | {r['page_queries']} | "
            f"{r['floor_median_ms']} | {r['floor_p95_ms']} | {r['floor_queries']} | {r['ratio_median']} | "
            f"{_verdict(r)} |"
        )
    return lines


def main():
    network = _load("network.json") or {}
    measured = _load("measure.json")
    measured_50k = _load("measure-50k.json")
    throughput = _load("throughput.json")
    load = (RESULTS / "load.txt").read_text().strip().splitlines() if (RESULTS / "load.txt").exists() else []
    out = [
        "# Benchmark results",
        "",
        f"Written on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC from the last `make bench` (bench/run.sh); "
        "the load lines below give the time of its measurements.",
        "",
        f"**Machine:** {machine()}.",
        "",
    ]
    if load:
        out += [
            "**Load on the machine during the run** (`uptime` before and after the measurements; other work "
            "on the machine makes absolute times longer, while page and floor, requested alternately, share "
            "it):",
            "",
            *[f"    {line.strip()}" for line in load],
            "",
        ]
    if network:
        counts = network.get("counts", {})
        out += [
            "## The network",
            "",
            f"Generated in **{network.get('seconds')} s** (`python -m bench.generate`, PostgreSQL COPY):",
            "",
            "| rows | count |",
            "| --- | ---: |",
            *[f"| {name} | {count:,} |" for name, count in counts.items()],
            "",
            "| phase | seconds |",
            "| --- | ---: |",
            *[f"| {phase} | {seconds} |" for phase, seconds in network.get("timings", {}).items()],
            "",
            f"The measured helper ({network['helper']['email']}) sees "
            f"{network['helper']['visible_referrals']:,} referrals; the measured claimer "
            f"({network['claimer']['email']}) works programs that received "
            f"{network['claimer']['inbound_referrals']:,}.",
            "",
        ]
    if measured:
        out += [
            "## Pages beside their floors",
            "",
            f"In-process (Django test Client, whole middleware stack, DEBUG off), {measured['repeat']} requests "
            f"of each page alternating with its floor, after a warm-up; {measured['referrals']:,} referrals, "
            f"{measured['programs']:,} programs. Queries counted on one more request. The floor "
            "(bench/floors.py) runs the one indexed query the page needs and renders the same rows with a "
            "minimal template, through the same middleware (whose own queries both columns include).",
            "",
            *_table(measured),
            "",
        ]
    if measured_50k:
        out += [
            f"### Program search and the public directory over {measured_50k['programs']:,} programs",
            "",
            *_table(measured_50k),
            "",
        ]
    runs = [run for run in (throughput, _load("throughput-uncached.json")) if run]
    if runs:
        first = runs[0]
        out += [
            "## Throughput",
            "",
            f"gunicorn ({first['gunicorn_workers']} sync workers, `{first['settings']}`, "
            "SECURE_SSL_REDIRECT off, sessions and the page cache in Redis) loaded by wrk from a second process "
            f"on loopback, {first['connections']} connections for {first['duration']} on Inbound Referrals, "
            "signed in as the measured claimer with the session and CSRF cookies a browser sends. With the page "
            "cache on (the default, referrals/inbound_cache.py) every request after the first of each minute "
            "is an unchanged page reused; with it off (`INBOUND_PAGE_CACHE_SECONDS=0`) every request renders "
            "the page from the database:",
            "",
            "| page cache | requests/s | p50 ms | p95 ms | p99 ms | requests | non-2xx | target (≥ 100 requests/s) |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
        for run in runs:
            rps = run.get("requests_per_second") or 0
            verdict = (
                "met"
                if rps >= RPS_TARGET
                else (f"missed by {RPS_TARGET - rps:.0f} requests/s ({rps / RPS_TARGET:.0%} of it)")
            )
            cached = "on" if run.get("page_cache_seconds", 60) else "off"
            out.append(
                f"| {cached} | {rps} | {run.get('p50_ms')} | {run.get('p95_ms')} | {run.get('p99_ms')} | "
                f"{int(run.get('requests', 0)):,} | {int(run.get('non_2xx', 0))} | {verdict} |"
            )
        out.append("")
    notes = HERE / "NOTES.md"
    if notes.exists():
        out += [notes.read_text().strip(), ""]
    # The HSDS import/export benchmark (bench/hsds_bench.py) is run by hand and writes its own section: keep it.
    previous = (HERE / "RESULTS.md").read_text() if (HERE / "RESULTS.md").exists() else ""
    for section in (FIND_SECTION, BY_HAND_SECTION, HSDS_SECTION):
        kept = section.search(previous)
        if kept:
            out += [kept.group(0), ""]
    (HERE / "RESULTS.md").write_text("\n".join(out))


if __name__ == "__main__":
    main()
