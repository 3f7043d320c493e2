"""The network scorecard's kept counts (referrals.kept): kept right by every service that changes what they count,
equal to a full recount and giving the figures the referrals themselves give; the nightly check repairs and
reports drift; concurrent changes stay exact."""

import logging
import random
import threading
from datetime import date, timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from privacy.services import seeker_erase
from programs.models import Category
from programs.services import program_update_many
from referrals import kept
from referrals.actors import Actor
from referrals.answers import LinkRecipient
from referrals.models import Referral, ReferralEvent, ScorecardProgramCount, ScorecardZipCount
from referrals.replies import referral_answer_by_text
from referrals.services import (
    referral_answer_by_link,
    referral_change_status,
    referral_forward,
    referral_mark_viewed,
    referral_reopen,
    referral_self_refer,
)
from referrals.tasks import check_scorecard_counts
from reports.selectors import CountedNetworkFigures, NetworkFigures, Period, network_report
from seekers.services import seeker_update
from tests import factories

from .conftest import PERIOD


def kept_rows() -> dict:
    rows = {}
    for kind in kept.KINDS:
        for row in kind.model.objects.values(*kind.key, *kind.counters):
            values = [row[name] for name in kind.counters]
            if any(values):
                rows[(kind.table, *(row[name] for name in kind.key))] = values
    return rows


def assert_figures_equal(period: Period):
    """Every table of the scorecard (the page's first rows, and all of them), summed and counted."""
    now = timezone.now()
    for row_limit in (None, 2):
        summed = network_report(figures=NetworkFigures(period=period, now=now, row_limit=row_limit))
        counted = network_report(figures=CountedNetworkFigures(period=period, now=now, row_limit=row_limit))
        assert [(table.slug, table.rows, table.note) for table in summed] == [
            (table.slug, table.rows, table.note) for table in counted
        ]


def test_blocks_cover_every_day_of_a_period_once():
    generator = random.Random(18)
    for _ in range(300):
        start = date(2025, 1, 1) + timedelta(days=generator.randrange(800))
        end = start + timedelta(days=generator.randrange(400))
        days = [
            first_day + timedelta(days=offset)
            for level, first_day in kept.blocks(start, end)
            for offset in range(1 << level)
        ]
        assert days == [start + timedelta(days=offset) for offset in range((end - start).days + 1)]
        assert len(kept.blocks(start, end)) <= 2 * (kept.TOP_LEVEL + 1) + (end - start).days // 64


@pytest.mark.django_db
def test_every_change_keeps_the_counts_of_a_recount_and_the_figures_of_the_referrals(network, caplog):
    """A realistic day of changes, each through its service: the counts kept are those a recount makes, and the
    scorecard summed from them equals the scorecard counted from the referrals, table for table."""
    n = network
    food = Category.objects.create(name="Food", slug="food")
    housing = Category.objects.create(name="Housing", slug="housing")
    n.program.categories.add(food)
    n.other_program.categories.set([food, housing])
    shelter = factories.ProgramFactory(organization=n.provider, name="Shelter", categories=[housing])
    factories.claimer(shelter)

    def seeker(zip_code):
        return factories.SeekerFactory(
            organization=n.site, created_by=n.referrer, team=n.sharing_team, zip_code=zip_code, email="s@example.org"
        )

    people = [seeker(zip_code) for zip_code in ("60640", "60640", "60625", "", "60601")]
    made = [n.refer(seeker=person) for person in people]
    made += [n.refer(seeker=person, program=n.other_program) for person in people[:3]]
    assert kept_rows()  # counted as they were made
    assert kept.recount().total == 0

    # The program answers: viewed, accepted, declined each way (first responses), forwarded.
    referral_mark_viewed(actor=n.claimer, referral=made[0])
    referral_change_status(actor=n.claimer, referral=made[0], to_status="accepted")
    referral_change_status(actor=n.claimer, referral=made[1], to_status="declined", reason="no_capacity")
    referral_change_status(actor=n.other_claimer, referral=made[5], to_status="declined", reason="not_eligible")
    forwarded = referral_forward(actor=n.claimer, referral=made[2], program=shelter, consent_method="verbal")
    # The seeker answers on each channel, and staff for them.
    referral_answer_by_link(referral=made[3], recipient=LinkRecipient(seeker=people[3]), choice="got_help")
    referral_answer_by_text(referral=made[6], seeker=people[1], choice="no_longer_interested")
    referral_change_status(
        actor=Actor.for_seeker(people[4], via=ReferralEvent.Via.WEB), referral=made[4], to_status="got_help"
    )
    referral_change_status(actor=n.referrer, referral=made[7], to_status="got_help")
    # Reopened and answered again; made in error; a self-referral.
    referral_reopen(actor=n.provider_admin, referral=made[1], note="Room opened up.")
    referral_change_status(actor=n.claimer, referral=made[1], to_status="got_help")
    referral_change_status(actor=n.referrer, referral=made[0], to_status="entered_in_error", note="Wrong person.")
    walk_in = factories.SeekerFactory(organization=n.provider, zip_code="60608", email="w@example.org")
    referral_self_refer(seeker=walk_in, program=n.program, consent_wording="Yes, contact me.")
    assert kept.recount().total == 0
    assert_figures_equal(Period.default())

    # What is counted with the referrals changes outside them: a zip code, an erasure, the categories.
    seeker_update(actor=n.referrer, seeker=people[0], zip_code="60613")
    seeker_erase(actor=n.site_admin, seeker=people[2])
    shelter.categories.add(food)
    n.program.categories.remove(food)
    housing.programs.add(n.program)
    program_update_many(updates=[(n.other_program, {"name": "Mobile Market"}, [food])])
    Category.objects.filter(pk=housing.pk).delete()
    with caplog.at_level(logging.ERROR, logger="referrals.tasks"):
        assert check_scorecard_counts() == {"referrals recounted": 10, "kept counts repaired": 0}
    assert caplog.records == []
    assert_figures_equal(Period.default())
    assert forwarded.program == shelter


@pytest.mark.django_db
def test_the_figures_of_any_period_are_those_of_the_referrals(figures):
    """The hand-built network of conftest.py (sent over three weeks, times set past the services, recounted):
    every period inside and around it, so that every level of block is summed."""
    start = date.fromisoformat(PERIOD["start"]) - timedelta(days=10)
    generator = random.Random(4)
    for _ in range(12):
        first = start + timedelta(days=generator.randrange(40))
        assert_figures_equal(Period(start=first, end=first + timedelta(days=generator.randrange(60))))


@pytest.mark.django_db
def test_the_nightly_check_reports_and_repairs_drift(network, caplog):
    n = network
    for person in range(3):
        n.refer(seeker=factories.SeekerFactory(organization=n.site, created_by=n.referrer, zip_code=f"6060{person}"))
    expected = kept_rows()
    ScorecardProgramCount.objects.filter(level=0).update(referrals=99)  # tampered with
    ScorecardZipCount.objects.filter(level=3, zip_code="60601").delete()  # lost
    ScorecardZipCount.objects.create(level=0, first_day=date(2020, 1, 1), category_id=0, zip_code="00000", referrals=4)

    with caplog.at_level(logging.ERROR, logger="referrals.tasks"):
        result = check_scorecard_counts()
    assert result == {"referrals recounted": 3, "kept counts repaired": 3}
    [record] = caplog.records
    assert "differed from a recount and were repaired" in record.getMessage() and "00000" in record.getMessage()
    assert kept_rows() == expected
    assert check_scorecard_counts() == {"referrals recounted": 3, "kept counts repaired": 0}


def test_the_nightly_check_is_on_the_beat():
    from referrals_site.celery import app

    assert {"task": "referrals.tasks.check_scorecard_counts", "schedule": 24 * 60 * 60} in (
        app.conf.beat_schedule.values()
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_changes_stay_exact(network):
    """Claimers answering, the seeker's zip code edited, new referrals made and the program recategorized, all
    at once from several connections: the kept counts equal a recount afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL")
    n = network
    food = Category.objects.create(name="Food", slug="food")
    programs = [n.program, *(factories.ProgramFactory(organization=n.provider) for _ in range(3))]
    for program in programs[1:]:
        factories.claimer(program)
    person = factories.SeekerFactory(organization=n.site, created_by=n.referrer, zip_code="60640")
    others = [factories.SeekerFactory(organization=n.site, created_by=n.referrer) for _ in range(4)]
    made = [n.refer(seeker=seeker, program=programs[0]) for seeker in [person, *others]]
    start = threading.Barrier(4)
    errors = []

    def run(work):
        try:
            start.wait()
            work()
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    def answer():
        for referral, reason in zip(made, ["no_capacity", "not_eligible", "no_capacity", "other", "no_capacity"]):
            referral_change_status(actor=n.claimer, referral=referral, to_status="declined", reason=reason)

    def move():
        for zip_code in ("60601", "60602", "60603", "60604"):
            seeker_update(
                actor=n.referrer, seeker=type(person).objects_across_tenants.get(pk=person.pk), zip_code=zip_code
            )

    def refer():
        for program in programs[1:]:
            n.refer(seeker=person, program=program)

    def recategorize():
        for _ in range(3):
            programs[0].categories.add(food)
            programs[1].categories.add(food)
            programs[0].categories.remove(food)

    threads = [threading.Thread(target=run, args=(work,)) for work in (answer, move, refer, recategorize)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Referral.objects_across_tenants.count() == 8
    drift = kept.recount()
    assert drift.total == 0, drift.examples


@pytest.mark.django_db
def test_the_page_sums_the_kept_counts_in_a_fixed_number_of_queries(client, network):
    """One statement sums the kept counts and one counts the never-answering programs' overdue referrals live,
    however many referrals and programs there are."""
    from django.test.utils import CaptureQueriesContext

    n = network
    admin = factories.UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/reports/network/")
        assert response.status_code == 200
        statements = [query["sql"] for query in captured.captured_queries]
        return (
            len(statements),
            sum("referrals_scorecard" in sql for sql in statements),
            sum('"referrals_referral"' in sql for sql in statements),
        )

    n.refer()
    client.get("/reports/network/")
    before = queries()
    for _ in range(6):
        program = factories.ProgramFactory(organization=n.provider)
        n.refer(seeker=factories.SeekerFactory(organization=n.site, created_by=n.referrer), program=program)
    assert queries() == before
    assert before[1:] == (1, 1)
