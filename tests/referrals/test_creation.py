import threading

import pytest
from django.db import connection

from referrals import statuses
from referrals.errors import (
    ConsentRequired,
    DuplicateOpenReferral,
    NotAllowed,
    ProgramNotAccepting,
    StaleReferral,
)
from referrals.models import Referral
from referrals.services import referral_change_status, referral_mark_viewed, referral_reopen


def test_a_referral_starts_sent_with_consent_and_history(network):
    referral = network.refer(consent_method="written")
    assert referral.status == statuses.Status.SENT
    assert referral.has_consent and referral.consent_recorded_by == network.referrer
    assert referral.organization == network.site
    assert referral.referred_by_team == network.sharing_team
    assert [e.kind for e in referral.events.order_by("id")] == ["created", "consent_given"]


def test_consent_is_required(network):
    with pytest.raises(ConsentRequired):
        network.refer(consent_method="")
    assert not Referral.objects.for_organization(network.site).exists()


def test_only_members_of_the_seekers_organization_refer(network):
    with pytest.raises(NotAllowed):
        network.refer(referrer=network.outsider)


def test_program_not_accepting_refuses(network):
    network.program.accepts_referrals = False
    network.program.save()
    with pytest.raises(ProgramNotAccepting):
        network.refer()


def test_second_open_referral_is_refused_with_the_first(network):
    first = network.refer()
    with pytest.raises(DuplicateOpenReferral) as refused:
        network.refer(referrer=network.teammate)
    assert refused.value.existing == first
    assert Referral.objects.for_organization(network.site).count() == 1


def test_after_closing_a_new_referral_is_allowed(network):
    first = network.refer()
    referral_change_status(
        actor=network.referrer,
        referral=first,
        to_status=statuses.Status.WITHDRAWN,
        reason=statuses.Reason.NO_LONGER_INTERESTED,
    )
    assert network.refer().pk != first.pk


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_a_duplicate_open_referral(network):
    from django.db import IntegrityError, transaction

    first = network.refer()
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects_across_tenants.create(
            organization=network.site,
            program=network.program,
            seeker=network.seeker,
            referred_by=network.referrer,
            status=statuses.Status.ACCEPTED,
        )
    assert Referral.objects.unscoped("test").get() == first


@pytest.mark.django_db(transaction=True)
def test_the_database_keeps_the_closing_time_and_the_status_together(network):
    """Open is "not closed yet": closed_at is set exactly when the status is closed (the unique index above
    reads it so), and the database refuses a row where they disagree."""
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    referral = network.refer()
    rows = Referral.objects_across_tenants.filter(pk=referral.pk)
    for disagreeing in (
        {"status": statuses.Status.DECLINED, "status_reason": "no_capacity"},  # closed, without its time
        {"closed_at": timezone.now()},  # open, with a closing time
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            rows.update(**disagreeing)
    referral_change_status(
        actor=network.claimer,
        referral=referral,
        to_status=statuses.Status.DECLINED,
        reason=statuses.Reason.NO_CAPACITY,
    )
    assert rows.get().closed_at is not None
    referral_reopen(actor=network.site_admin, referral=rows.get(), note="Called back: a place opened.")
    assert rows.get().closed_at is None


def test_stale_version_is_refused_and_writes_nothing(network):
    referral = network.refer()
    referral_mark_viewed(actor=network.claimer, referral=referral)
    with pytest.raises(StaleReferral) as refused:
        referral_change_status(
            actor=network.claimer, referral=referral, to_status=statuses.Status.ACCEPTED, expected_version=1
        )
    assert refused.value.current.status == statuses.Status.VIEWED
    referral.refresh_from_db()
    assert referral.status == statuses.Status.VIEWED


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_changes_lose_nothing(network):
    referral = network.refer()
    referral_mark_viewed(actor=network.claimer, referral=referral)
    referral.refresh_from_db()
    version = referral.version
    barrier = threading.Barrier(2)
    outcomes = []

    def change(actor, status, reason=""):
        from django.db import connections

        try:
            barrier.wait()
            referral_change_status(
                actor=actor, referral=referral, to_status=status, reason=reason, expected_version=version
            )
            outcomes.append(("ok", status))
        except StaleReferral:
            outcomes.append(("stale", status))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=change, args=(network.claimer, statuses.Status.ACCEPTED)),
        threading.Thread(
            target=change, args=(network.referrer, statuses.Status.WITHDRAWN, statuses.Reason.NO_LONGER_INTERESTED)
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(kind for kind, _ in outcomes) == ["ok", "stale"]
    winner = next(status for kind, status in outcomes if kind == "ok")
    referral.refresh_from_db()
    assert referral.status == winner
    assert referral.version == version + 1
    assert referral.events.filter(kind="status_changed").count() == 2  # viewed + the winner
