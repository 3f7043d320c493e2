"""The benchmark generator builds what the services would have built, so the measurements are realistic."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from bench.generate import CLAIMER_EMAIL, HELPER_EMAIL, Size, generate
from programs.models import Program
from referrals.models import Referral, ReferralGroupObjectPermission, ReferralUserObjectPermission
from referrals.selectors import referrals_inbound_for
from referrals.services import _grant_on_create
from seekers.models import Seeker
from tests.factories import referral as make_referral

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the generator uses PostgreSQL COPY")

TINY = Size(
    organizations=4,
    sites=3,
    programs=12,
    seekers=60,
    referrals=400,
    sharing_team_size=3,
    private_team_size=1,
    hub_programs=2,
    bench_claimer_hubs=1,
)


def _indexes(table):
    with connection.cursor() as cursor:
        # names and their columns (a rebuilt partial index's WHERE deparses differently, meaning the same)
        cursor.execute(
            "SELECT indexname, split_part(indexdef, ' WHERE ', 1) FROM pg_indexes WHERE tablename = %s", [table]
        )
        return set(cursor.fetchall())


def _constraints(table):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass", [table]
        )
        return set(cursor.fetchall())


@pytest.fixture
def summary(db):
    tables = ["referrals_referral", "referrals_referralgroupobjectpermission", "seekers_seeker"]
    before = {table: (_indexes(table), _constraints(table)) for table in tables}
    result = generate(TINY, progress=False, vacuum=False)
    assert {table: (_indexes(table), _constraints(table)) for table in tables} == before
    return result


def _grants(referral):
    return (
        set(
            ReferralUserObjectPermission.objects.filter(content_object=referral).values_list(
                "user_id", "permission__codename"
            )
        ),
        set(
            ReferralGroupObjectPermission.objects.filter(content_object=referral).values_list(
                "group_id", "permission__codename"
            )
        ),
    )


def test_grants_are_exactly_those_the_service_gives(summary):
    referrals = Referral.objects_across_tenants.select_related(
        "program__organization", "organization", "referred_by_team", "referred_by"
    ).order_by("id")
    assert referrals.count() == TINY.referrals
    for referral in referrals[::7]:
        generated = _grants(referral)
        ReferralUserObjectPermission.objects.filter(content_object=referral).delete()
        ReferralGroupObjectPermission.objects.filter(content_object=referral).delete()
        _grant_on_create(referral)
        assert _grants(referral) == generated, referral.pk


def test_the_measured_people_see_what_the_summary_says(summary):
    users = get_user_model().objects
    helper, claimer = users.get(email=HELPER_EMAIL), users.get(email=CLAIMER_EMAIL)
    assert Referral.objects.restrict(helper, "view:all").count() == summary["helper"]["visible_referrals"] > 0
    assert referrals_inbound_for(claimer).count() == summary["claimer"]["inbound_referrals"] > 0
    assert summary["counts"]["referrals"] == TINY.referrals


def test_one_open_referral_per_seeker_and_program_holds(summary):
    # the partial unique index was rebuilt, so a duplicate would have failed; check the data anyway
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT seeker_id, program_id FROM referrals_referral WHERE status = ANY(%s) "
            "GROUP BY 1, 2 HAVING COUNT(*) > 1",
            [["sent", "viewed", "accepted", "waitlisted", "in_service", "needs_client_action"]],
        )
        assert cursor.fetchall() == []


def test_the_services_keep_working_on_the_generated_network(summary):
    helper = get_user_model().objects.get(email=HELPER_EMAIL)
    seeker = Seeker.objects.for_organizations(helper.memberships.values("organization_id")).first()
    program = Program.objects_across_tenants.create(
        organization=seeker.organization,
        name="New program after the load",
        group=__import__("django.contrib.auth.models", fromlist=["Group"]).Group.objects.create(name="new-program"),
    )
    created = make_referral(referrer=helper, seeker=seeker, program=program)
    assert created.pk > TINY.referrals
    assert Referral.objects.restrict(helper, "view:all").filter(pk=created.pk).exists()


def test_each_referrals_kept_answer_channel_is_its_historys(summary):
    """The generator copies referrals and their history past the services, then fills the kept answer channels
    from the history (referrals.channels.refill_answer_channels): the report reads what the history says."""
    from referrals.channels import answer_channel
    from referrals.models import Referral

    rows = Referral.objects_across_tenants.annotate(history=answer_channel()).values_list("answer_channel", "history")
    assert rows and all(kept == history for kept, history in rows)
    assert any(kept for kept, _ in rows)
