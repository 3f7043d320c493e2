import pytest
from django.core.management import call_command
from django.db import models, transaction
from django.test import override_settings

from accounts.models import User
from referrals import statuses
from referrals.models import Note, Referral, ReferralEvent
from referrals.policies import programs_received_by
from referrals.selectors import referrals_inbound_for
from seekers.models import Seeker


def snapshot():
    return {
        "users": sorted(User.objects.values_list("email", flat=True)),
        "seekers": Seeker.objects.unscoped("test").count(),
        "referrals": sorted(
            Referral.objects.unscoped("test").values_list("seeker__last_name", "program__name", "status")
        ),
        "events": ReferralEvent.objects.unscoped("test").count(),
        "notes": Note.objects.unscoped("test").count(),
    }


@pytest.fixture(scope="module")
def demo_network(django_db_setup, django_db_blocker):
    """The demo network, seeded once for this module's tests (seeding took ~10 s; it was seeded for each test) in a
    transaction rolled back after the last: each test runs in a savepoint of it (pytest-django's ``db``), so what
    one test changes the next does not see. Tests of ``seed_demo`` with real commits are in
    test_seed_demo_command.py."""
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(DEBUG=True):
            call_command("seed_demo")
        yield snapshot()
        transaction.set_rollback(True)


@pytest.fixture
def seeded(demo_network, db):
    return demo_network


def test_seed_demo_twice_gives_the_same_data(seeded, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    assert snapshot() == seeded


def test_seed_demo_builds_a_believable_network(seeded):
    assert seeded["seekers"] >= 30
    assert {s for _, _, s in seeded["referrals"]} == set(statuses.Status.values)
    assert seeded["notes"] > 0
    for email in [
        "maria@northside.example",
        "james@northside.example",
        "priya@northside.example",
        "omar@northside.example",
        "ana@eastlake.example",
        "sam@foodbank.example",
        "lena@hopehousing.example",
        "admin@network.example",
    ]:
        assert User.objects.get(email=email).check_password("referrals-demo")


def test_selector_and_guardian_agree_for_every_demo_user_and_referral(seeded):
    referrals = list(Referral.objects.unscoped("test").select_related("seeker"))
    for user in User.objects.filter(is_superuser=False):
        visible = set(Referral.objects.restrict(user, "view:all").values_list("pk", flat=True))
        granted = {r.pk for r in referrals if user.has_perm("referrals.view_referral", r)}
        assert visible == granted, user.email


def test_lena_is_named_after_the_program_she_joined_first(seeded):
    lena = User.objects.get(email="lena@hopehousing.example")
    from programs.selectors import organization_display_for

    assert organization_display_for(lena) == "Emergency Rental Assistance"


def test_each_rule_s_two_forms_agree_for_every_demo_user(seeded):
    """Lists use the gathered form of a rule (an id set), single lookups the per-row form: same answers. Every
    plan the rule book picks for one permission gives the same referrals."""
    from seekers.models import Seeker
    from seekers.policies import count_helped

    def ids(queryset):
        return set(queryset.values_list("pk", flat=True))

    for user in User.objects.filter(is_superuser=False):
        assert ids(Seeker.objects.restrict(user, "view")) == ids(Seeker.objects.restrict(user, "view:all")), user.email
        helped = Seeker.objects.restrict(user, "view:all").count()
        assert [count_helped(user, cap) for cap in (1000, 3)] == [helped, min(helped, 3)], user.email
        sent = ids(Referral.objects.restrict(user, "refer:all"))
        assert sent == ids(Referral.objects.restrict(user, "refer")), user.email
        assert sent == ids(Referral.objects.restrict(user, "refer:by_state")), user.email
        assert ids(Referral.objects.restrict(user, "view:all")) == ids(Referral.objects.restrict(user, "view")), (
            user.email
        )
        assert ids(Referral.objects.restrict(user, "receive")) <= ids(Referral.objects.restrict(user, "view")), (
            user.email
        )
        # Inbound's page ids and counts read the programs alone: every referral to a program is granted to the
        # people who receive it, so the two rules agree.
        assert ids(Referral.objects.restrict(user, "receive:ids")) == ids(Referral.objects.restrict(user, "receive")), (
            user.email
        )
        # Inbound writes out the programs it read by the same rule (programs_received_by) instead of its subquery.
        written_out = referrals_inbound_for(user, to_choose=True, programs=list(programs_received_by(user)))
        assert ids(written_out) == ids(Referral.objects.restrict(user, "receive:ids")), user.email
        # The few-rows forms (each row probed whatever PostgreSQL estimates) are the same rules.
        for action in ("view", "refer", "receive"):
            assert ids(Referral.objects.restrict(user, f"{action}:few")) == ids(
                Referral.objects.restrict(user, action)
            ), (user.email, action)


def test_the_demos_closed_referrals_say_when_they_closed(seeded):
    referrals = Referral.objects.unscoped("test")
    closed = referrals.filter(status__in=statuses.CLOSED)
    assert closed.count() >= 10
    assert not closed.filter(closed_at__isnull=True).exists()
    assert not referrals.exclude(status__in=statuses.CLOSED).filter(closed_at__isnull=False).exists()
    assert not closed.filter(closed_at__lt=models.F("sent_at")).exists()


def test_the_demo_shows_programs_as_participants(seeded):
    """Issue 15 item 5: a claimer's own referral, one on behalf of a program, one forwarded (with make run)."""
    sam = User.objects.get(email="sam@foodbank.example")
    referrals = Referral.objects.unscoped("test").select_related("program", "seeker", "forwarded_from")
    own = referrals.get(referred_by=sam, seeker__first_name="Nadia", forwarded_from__isnull=True)
    assert own.on_behalf_of_program is None and own.organization.name == "City Food Bank"
    for_market = referrals.get(referred_by=sam, on_behalf_of_program__name="Mobile Food Market")
    assert for_market.seeker.full_name == "Tomás Vega" and for_market.on_behalf_of_program.shares_outbound
    forwarded = referrals.get(forwarded_from__isnull=False)
    assert forwarded.seeker.full_name == "Luis Hernandez" and forwarded.program.name == "SNAP Enrollment Help"
    assert forwarded.forwarded_from.status_reason == "forwarded"
    assert forwarded.forwarded_from.referred_by.email == "maria@northside.example"


def test_what_each_side_reports_is_dated_with_the_backdated_stories(seeded):
    """A decline the demo dates weeks ago is reported by the program weeks ago too, not "just now"."""
    referrals = Referral.objects.unscoped("test").exclude(program_outcome_at=None)
    assert referrals.filter(status="declined").exists()
    for referral in referrals.union(Referral.objects.unscoped("test").exclude(seeker_outcome_at=None)):
        for side in ("seeker", "program", "referrer"):
            when = getattr(referral, f"{side}_outcome_at")
            assert when is None or referral.sent_at <= when <= referral.updated_at, (referral, side)


def test_the_demo_has_self_referrals_in_several_states_and_one_unconfirmed_request(seeded):
    from seeker_door.models import SelfReferralRequest

    found = {
        (referral.seeker.first_name, referral.status, referral.organization_id == referral.program.organization_id)
        for referral in Referral.objects.unscoped("test")
        .filter(referred_by__isnull=True)
        .select_related("seeker", "program")
    }
    assert found == {("Elena", "sent", True), ("Marisol", "accepted", True), ("Devon", "got_help", True)}
    pending = SelfReferralRequest.objects.get()
    assert pending.first_name == "Ahmed" and pending.contact == "ahmed.karim@example.com"
    assert not Seeker.objects.unscoped("test").filter(first_name="Ahmed").exists()


def test_the_demos_kept_answer_channels_are_their_historys(seeded):
    """The demo's stories are backdated past the services; each referral's kept answer channel is filled again
    from its history (the latest answer may have changed places)."""
    from referrals.channels import answer_channel
    from referrals.models import Referral

    rows = Referral.objects_across_tenants.annotate(history=answer_channel()).values_list("answer_channel", "history")
    assert rows and all(kept == history for kept, history in rows)
    assert any(kept for kept, _ in rows)
