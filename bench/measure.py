"""In-process measurements of the pages people use all day, each beside its floor (bench/floors.py).

    python -m bench.measure                 # every page; writes bench/results/measure.json
    python -m bench.measure --only search --label "50,000 programs"

Each page and its floor are requested alternately through Django's test Client (the whole middleware stack,
DEBUG off, the benchmark database, Python's collector tuned as in a gunicorn worker: ops.gc_tuning), after a
warm-up; server time is the time the Client waited for the response. Queries are counted on one more request
of each.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
REPEAT = 30
WARM_UP = 3


def percentile(values, fraction):
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(fraction * (len(ordered) - 1))))
    return ordered[index]


class Case:
    def __init__(self, key, label, user, page_url, floor_url, expect=None, headers=None, settings=None, before=None):
        self.key, self.label, self.user = key, label, user
        self.before = before  # run before each timed request of the page, untimed (a change the page follows)
        self.page_url, self.floor_url = page_url, floor_url
        self.expect = expect  # text the page must contain, so a redirect or an empty list is not measured
        self.headers = headers or {}
        self.settings = settings or {}  # settings of this case only (Django's override_settings)


def _cases(network: dict, only: str | None):
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.utils import timezone

    from accounts.models import Membership
    from referrals.models import Referral
    from seekers.models import Seeker

    users = get_user_model().objects
    helper = users.get(email=network["helper"]["email"])
    claimer = users.get(email=network["claimer"]["email"])
    admin = users.get(memberships__organization=helper.memberships.get().organization, memberships__role="admin")

    seeker = Seeker.objects.restrict(helper, "view").annotate(n=Count("referrals")).order_by("-n", "pk").first()
    referral = (
        Referral.objects.restrict(claimer, "view:all")
        .filter(program__claimer_memberships__user=claimer)
        .exclude(status="sent")
        .annotate(n=Count("events"))
        .order_by("-n", "-sent_at")
        .first()
    )
    # Start a referral for a person whose profile records every fact the eligibility rules read (issue 17): the
    # helper's first seeker, given a household of three on $2,400 a month when the generator left them out.
    person = Seeker.objects.restrict(helper, "view").exclude(zip_code="").order_by("pk").first()
    if person.household_size is None or person.monthly_income is None:
        Seeker.objects_across_tenants.filter(pk=person.pk).update(household_size=3, monthly_income=2400)
    today = timezone.localdate()
    year_start = today - timedelta(days=364)  # a year's report: 365 days, both ends included
    cases = [
        Case(
            "people",
            "People I'm Helping (helper)",
            helper,
            "/people/",
            "/__floor__/people/",
            lambda page: page.count('href="/people/') >= 20,
        ),
        Case(
            "people_referred",
            "People I'm Helping (provider's claimer)",
            claimer,
            "/people/?show=referred",
            "/__floor__/people/referred/",
            lambda page: page.count('href="/people/') >= 20,
        ),
        Case(
            "profile",
            f"Seeker profile ({seeker.referrals.count()} referrals)",
            helper,
            f"/people/{seeker.public_id}/",
            f"/__floor__/people/{seeker.public_id}/",
            seeker.last_name,
        ),
        Case(
            "inbound",
            "Inbound Referrals, first page (claimer)",
            claimer,
            "/inbound/",
            "/__floor__/inbound/",
            "Not updated",
        ),
        # The same page as the claimer's reloads get it within the minute: reused from the page cache
        # (referrals/inbound_cache.py; issue 18: "the cache's hit path under 5 ms").
        Case(
            "inbound_cached",
            "Inbound Referrals, first page, reused from the page cache",
            claimer,
            "/inbound/",
            "/__floor__/inbound/",
            "Not updated",
            settings={"INBOUND_PAGE_CACHE_SECONDS": 60},
        ),
        Case(
            "inbound_filtered",
            "Inbound Referrals, filtered: Not updated + urgent",
            claimer,
            "/inbound/?status=sent&urgency=urgent",
            "/__floor__/inbound/filtered/?status=sent&urgency=urgent",
            "Urgent",
        ),
        Case(
            "referral",
            f"Referral page ({referral.events.count()} history events)",
            claimer,
            f"/referrals/{referral.public_id}/",
            f"/__floor__/referrals/{referral.public_id}/",
            referral.seeker.last_name,
        ),
        Case(
            "search_keywords",
            'Program search: zip 60640, 10 miles, "food"',
            helper,
            "/programs/?zip=60640&radius=10&q=food",
            "/__floor__/programs/?zip=60640&radius=10&q=food",
            "Food",
        ),
        Case(
            "search_zip",
            "Program search: zip 60640, 10 miles, no keywords",
            helper,
            "/programs/?zip=60640&radius=10",
            "/__floor__/programs/?zip=60640&radius=10",
            "mi",
        ),
        Case(
            "search_state",
            'Program search: zip 62701, any distance, "legal aid"',
            helper,
            "/programs/?zip=62701&q=legal+aid",
            "/__floor__/programs/?zip=62701&q=legal+aid",
            "Legal",
        ),
        Case(
            "search_seeker",
            "Start a referral: programs within 10 miles with eligibility verdicts",
            helper,
            f"/programs/?seeker={person.public_id}&radius=10",
            f"/__floor__/programs/eligible/?seeker={person.public_id}&radius=10",
            "Finding programs for",
        ),
        Case(
            "api_referrals",
            "API referral list (helper)",
            helper,
            "/api/v1/referrals/",
            "/__floor__/api/referrals/",
            "results",
            headers={"Accept": "application/json"},
        ),
        # The report as an admin sees it again (its figures kept while they hold: reports.selectors.KeptFigures),
        # then counted on every view, as at a first view or after any change to the period's referrals.
        Case(
            "report",
            "Organization report (site admin, 90 days), figures kept",
            admin,
            "/reports/",
            "/__floor__/report/",
            "Referrals",
        ),
        # The first view after a change to one of the organization's referrals, its figures counted ahead by the
        # worker after the change (reports.ahead; the bench's tasks run in-process, untimed, as the change commits).
        Case(
            "report_ahead",
            "Organization report (site admin, 90 days), the first view after a change, counted ahead",
            admin,
            "/reports/",
            "/__floor__/report/",
            "Referrals",
            before=_a_change_to_a_referral_of(admin.memberships.get().organization, today),
        ),
        Case(
            "report_year",
            "Organization report (site admin, a year), figures kept",
            admin,
            f"/reports/?start={year_start}&end={today}",
            "/__floor__/report/?days=365",
            "Referrals",
        ),
        Case(
            "report_counted",
            "Organization report (site admin, 90 days), counted on every view",
            admin,
            "/reports/",
            "/__floor__/report/",
            "Referrals",
            settings={"ORGANIZATION_REPORT_KEPT_SECONDS": 0},
        ),
        Case(
            "report_year_counted",
            "Organization report (site admin, a year), counted on every view",
            admin,
            f"/reports/?start={year_start}&end={today}",
            "/__floor__/report/?days=365",
            "Referrals",
            settings={"ORGANIZATION_REPORT_KEPT_SECONDS": 0},
        ),
        Case(
            "sent", "Sent referrals, what needs me (helper)", helper, "/sent/", "/__floor__/sent/", "need my attention"
        ),
    ]
    # The public directory (/find/), anonymous, its page cache off (bench/settings.py): each request renders.
    from programs.selectors import directory

    program = directory().filter(latitude__isnull=False).order_by("pk").first()
    cases += [
        Case(
            "find_zip",
            "Public directory: zip 60640, any distance",
            None,
            "/find/?zip=60640",
            "/__floor__/find/?zip=60640",
            "miles away",
        ),
        Case(
            "find_category",
            "Public directory: zip 60640, 10 miles, a category",
            None,
            "/find/?zip=60640&radius=10&category=food",
            "/__floor__/find/?zip=60640&category=food",
            "miles away",
        ),
        Case(
            "find_words",
            'Public directory: zip 60640, "legal aid"',
            None,
            "/find/?zip=60640&q=legal+aid",
            "/__floor__/find/?zip=60640&q=legal+aid",
            "Legal",
        ),
        Case(
            "find_program",
            "Public directory: a program's page",
            None,
            f"/find/programs/{program.public_id}/",
            f"/__floor__/find/programs/{program.public_id}/",
            program.name[:20],
        ),
    ]
    assert Membership.objects.filter(user=admin, role="admin").exists()
    if only:
        prefixes = only.split(",")
        cases = [case for case in cases if case.key.startswith(tuple(prefixes))]
    return cases


def _a_change_to_a_referral_of(organization, today):
    """A function that changes one of ``organization``'s referrals of the last 90 days (received by one of its
    programs, assigned to its claimer and back, through the services) each time it is called. The referral is chosen
    at the first call (a run that measures other pages reads nothing for it)."""
    from programs.models import ProgramClaimer
    from referrals.models import Referral
    from referrals.services import referral_assign

    chosen = {}

    def change():
        if not chosen:
            referral = (
                Referral.objects_across_tenants.filter(
                    program__organization=organization,
                    closed_at__isnull=True,
                    sent_at__date__gte=today - timedelta(days=80),
                    program__claimer_memberships__isnull=False,
                )
                .order_by("-sent_at")
                .first()
            )
            if referral is None:
                raise SystemExit(
                    f"{organization} received no open referral lately; the measurement would be meaningless."
                )
            claimer = ProgramClaimer.objects.filter(program_id=referral.program_id).order_by("pk").first().user
            chosen.update(pk=referral.pk, claimer=claimer)
        current = Referral.objects_across_tenants.get(pk=chosen["pk"])
        assignee = None if current.assigned_to_id else chosen["claimer"]
        referral_assign(actor=chosen["claimer"], referral=current, assignee=assignee)

    return change


def _timed(client, url, headers):
    started = time.perf_counter()
    response = client.get(url, headers=headers)
    return (time.perf_counter() - started) * 1000, response


def _count_queries(client, url, headers):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url, headers=headers)
    return len(captured.captured_queries)


def measure(case: Case, repeat: int) -> dict:
    from django.test import override_settings

    with override_settings(**case.settings):
        return _measure(case, repeat)


def _measure(case: Case, repeat: int) -> dict:
    from django.test import Client

    client = Client()
    if case.user is not None:  # None: a visitor who is not signed in (the public directory)
        client.force_login(case.user)
    for url in (case.page_url, case.floor_url):
        response = client.get(url, headers=case.headers)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}; the measurement would be meaningless.")
    page = client.get(case.page_url, headers=case.headers).content.decode()
    shown = case.expect(page) if callable(case.expect) else (case.expect is None or case.expect in page)
    if not shown:
        raise SystemExit(f"{case.page_url} does not show {case.expect!r}; the measurement would be meaningless.")
    for _ in range(WARM_UP):
        client.get(case.page_url, headers=case.headers)
        client.get(case.floor_url, headers=case.headers)
    page_times, floor_times = [], []
    for _ in range(repeat):
        if case.before is not None:
            case.before()
        page_times.append(_timed(client, case.page_url, case.headers)[0])
        floor_times.append(_timed(client, case.floor_url, case.headers)[0])
    result = {
        "key": case.key,
        "label": case.label,
        "url": case.page_url,
        "page_median_ms": round(statistics.median(page_times), 1),
        "page_p95_ms": round(percentile(page_times, 0.95), 1),
        "page_queries": _count_queries(client, case.page_url, case.headers),
        "floor_median_ms": round(statistics.median(floor_times), 1),
        "floor_p95_ms": round(percentile(floor_times, 0.95), 1),
        "floor_queries": _count_queries(client, case.floor_url, case.headers),
        "bytes": len(page),
    }
    result["ratio_median"] = round(result["page_median_ms"] / result["floor_median_ms"], 2)
    result["ratio_p95"] = round(result["page_p95_ms"] / result["floor_p95_ms"], 2)
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--only", help="measure only the cases whose key starts with this (or with one of these, separated by commas)"
    )
    parser.add_argument("--label", default="", help="a label for this run (e.g. the directory size)")
    parser.add_argument("--output", default="measure.json")
    parser.add_argument("--repeat", type=int, default=REPEAT)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from ops.gc_tuning import tune_for_requests
    from programs.models import Program
    from referrals.models import Referral

    tune_for_requests()  # as each gunicorn worker does once the app is loaded (gunicorn.conf.py)

    network = json.loads((RESULTS / "network.json").read_text())
    results = []
    for case in _cases(network, args.only):
        result = measure(case, args.repeat)
        results.append(result)
        print(
            f"  {result['label']:<58} page {result['page_median_ms']:7.1f} / p95 {result['page_p95_ms']:7.1f} ms "
            f"{result['page_queries']:3d} q   floor {result['floor_median_ms']:6.1f} / {result['floor_p95_ms']:6.1f} ms "
            f"{result['floor_queries']:2d} q   x{result['ratio_median']}",
            file=sys.stderr,
        )
    summary = {
        "label": args.label,
        "programs": Program.objects_across_tenants.count(),
        "referrals": Referral.objects_across_tenants.count(),
        "repeat": args.repeat,
        "results": results,
    }
    (RESULTS / args.output).write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
