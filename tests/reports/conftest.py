"""A small hand-built network whose report figures are worked out by hand in the tests.

Times are in the site's time zone (America/Chicago), in February 2026 (no daylight-saving change).
Referrals are made through the services, then their times and statuses are set to exact values.

Northside (the site) sends, with hours to first response and what became of each:
  R1  Mon 2 Feb 10:00  Community Food Pantry (72 h)   Maria  2 h    got help (seeker and program agree)
  R2  Tue 3 Feb 09:00  Community Food Pantry           James  10 h   declined: no capacity
  R3  Mon 9 Feb 12:00  Mobile Food Market (24 h)       Priya  30 h   not completed: couldn't contact;
                                                                     the seeker says got help
  R4  Tue 10 Feb 08:00 Emergency Rental Assistance (48 h) Maria 50 h accepted (open)
  R5  Mon 16 Feb 14:00 Community Food Pantry           Maria  100 h  declined: not eligible
  R6  Tue 17 Feb 09:00 Community Food Pantry           Priya  -      still sent (open, overdue)
  R7  Wed 18 Feb 09:00 Mobile Food Market              James  -      withdrawn after 6 h: no longer interested
  R8  Thu 19 Feb 09:00 Emergency Rental Assistance     Maria  -      withdrawn 20 Mar: expired, no response
  R9  Fri 20 Feb 09:00 Community Food Pantry           Maria  1 h    entered in error (left out)
  R10 Fri 30 Jan 09:00 Community Food Pantry           Maria  1 h    got help (before the period)
  R11 Sat 21 Feb 09:00 Long Wait Program (100000 h)    Maria  -      viewed (open, not yet overdue)
Eastlake (another site) sends:
  R12 Wed 4 Feb 11:00  Community Food Pantry           Ana    4 h    got help; the seeker says not completed
  R13 Wed 11 Feb 11:00 Mobile Food Market              Ana    20 h   declined: no capacity
  R14 Thu 5 Feb 09:00  Silent Shelter (48 h)           Ana    -      still sent (open, overdue)
City Food Bank provides the Pantry and the Market; Hope Housing provides the other three programs.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from programs.models import Category, Program
from referrals import kept
from referrals.models import Referral
from tests import factories

CHICAGO = ZoneInfo("America/Chicago")
PERIOD = {"start": "2026-02-02", "end": "2026-02-22"}


def at(month, day, hour, minute=0):
    return datetime(2026, month, day, hour, minute, tzinfo=CHICAGO)


@dataclass
class Figures:
    network: object
    housing: object
    housing_admin: object
    network_admin: object
    rental: object
    long_wait: object
    silent: object
    referrals: dict


def _make(
    network,
    *,
    number,
    referrer,
    seeker,
    program,
    sent,
    response_hours=None,
    status="sent",
    reason="",
    closed=None,
    seeker_outcome="",
    program_outcome="",
):
    referral = factories.referral(referrer=referrer, seeker=seeker, program=program)
    Referral.objects_across_tenants.filter(pk=referral.pk).update(
        sent_at=sent,
        first_response_at=sent + timedelta(hours=response_hours) if response_hours is not None else None,
        status=status,
        status_reason=reason,
        closed_at=closed,
        seeker_outcome=seeker_outcome,
        program_outcome=program_outcome,
    )
    referral.refresh_from_db()
    return referral


@pytest.fixture
def figures(network) -> Figures:
    n = network
    food = Category.objects.create(name="Food", slug="food")
    housing_category = Category.objects.create(name="Housing", slug="housing")
    n.program.categories.add(food)
    n.other_program.categories.add(food)
    Program.objects_across_tenants.filter(pk=n.other_program.pk).update(expected_response_hours=24)
    housing = factories.OrganizationFactory(name="Hope Housing", runs_site=False)
    rental = factories.ProgramFactory(
        organization=housing,
        name="Emergency Rental Assistance",
        expected_response_hours=48,
        categories=[housing_category],
    )
    long_wait = factories.ProgramFactory(organization=housing, name="Long Wait Program", expected_response_hours=100000)
    silent = factories.ProgramFactory(
        organization=housing, name="Silent Shelter", expected_response_hours=48, categories=[housing_category]
    )
    housing_admin = factories.worker(housing, role="admin", first_name="David", last_name="Cohen")
    from accounts.models import User

    network_admin = User.objects.create_superuser(
        email="admin@network.example", password=factories.PASSWORD, first_name="Net", last_name="Admin"
    )

    def seeker(zip_code, organization=None, created_by=None):
        return factories.SeekerFactory(
            organization=organization or n.site, created_by=created_by or n.referrer, zip_code=zip_code
        )

    eastlake_seeker = seeker("60601", n.other_site, n.outsider)
    made = {}
    rows = [
        # number, referrer, seeker zip, program, sent, response hours, status, reason, closed, seeker, program
        (1, n.referrer, "60640", n.program, at(2, 2, 10), 2, "got_help", "", at(2, 6, 9), "got_help", "got_help"),
        (2, n.teammate, "60640", n.program, at(2, 3, 9), 10, "declined", "no_capacity", at(2, 3, 19), "", "declined"),
        (
            3,
            n.private_worker,
            "60625",
            n.other_program,
            at(2, 9, 12),
            30,
            "not_completed",
            "couldnt_contact",
            at(2, 12, 9),
            "got_help",
            "not_completed",
        ),
        (4, n.referrer, "60640", rental, at(2, 10, 8), 50, "accepted", "", None, "", "accepted"),
        (
            5,
            n.referrer,
            "60625",
            n.program,
            at(2, 16, 14),
            100,
            "declined",
            "not_eligible",
            at(2, 20, 18),
            "",
            "declined",
        ),
        (6, n.private_worker, "60640", n.program, at(2, 17, 9), None, "sent", "", None, "", ""),
        (
            7,
            n.teammate,
            "60640",
            n.other_program,
            at(2, 18, 9),
            None,
            "withdrawn",
            "no_longer_interested",
            at(2, 18, 15),
            "",
            "",
        ),
        (8, n.referrer, "60625", rental, at(2, 19, 9), None, "withdrawn", "expired_no_response", at(3, 20, 9), "", ""),
        (9, n.referrer, "60640", n.program, at(2, 20, 9), 1, "entered_in_error", "", at(2, 20, 11), "", ""),
        (10, n.referrer, "60640", n.program, at(1, 30, 9), 1, "got_help", "", at(2, 1, 9), "", "got_help"),
        (11, n.referrer, "60640", long_wait, at(2, 21, 9), None, "viewed", "", None, "", ""),
    ]
    for number, referrer, zip_code, program, sent, hours, status, reason, closed, seeker_word, program_word in rows:
        made[number] = _make(
            n,
            number=number,
            referrer=referrer,
            seeker=seeker(zip_code),
            program=program,
            sent=sent,
            response_hours=hours,
            status=status,
            reason=reason,
            closed=closed,
            seeker_outcome=seeker_word,
            program_outcome=program_word,
        )
    made[12] = _make(
        n,
        number=12,
        referrer=n.outsider,
        seeker=eastlake_seeker,
        program=n.program,
        sent=at(2, 4, 11),
        response_hours=4,
        status="got_help",
        closed=at(2, 9, 11),
        seeker_outcome="not_completed",
        program_outcome="got_help",
    )
    made[13] = _make(
        n,
        number=13,
        referrer=n.outsider,
        seeker=eastlake_seeker,
        program=n.other_program,
        sent=at(2, 11, 11),
        response_hours=20,
        status="declined",
        reason="no_capacity",
        closed=at(2, 12, 7),
        program_outcome="declined",
    )
    made[14] = _make(n, number=14, referrer=n.outsider, seeker=eastlake_seeker, program=silent, sent=at(2, 5, 9))
    # The times and statuses above were written past the services, which keep the scorecard's counts: count again.
    kept.recount()
    return Figures(
        network=n,
        housing=housing,
        housing_admin=housing_admin,
        network_admin=network_admin,
        rental=rental,
        long_wait=long_wait,
        silent=silent,
        referrals=made,
    )
