"""Every transition of the status table, allowed and refused, for each role."""

import pytest

from referrals import statuses
from referrals.actors import Actor
from referrals.errors import (
    IllegalTransition,
    InvalidReason,
    NotAllowed,
    NoteRequired,
    ReasonRequired,
)
from referrals.models import Referral
from referrals.services import referral_change_status, referral_mark_viewed, referral_reopen

S = statuses.Status
R = statuses.Reason


def actor_for(network, role, referral):
    return {
        "claimer": network.claimer,
        "referrer": network.referrer,
        "teammate": network.teammate,
        "site_admin": network.site_admin,
        "provider_admin": network.provider_admin,
        "seeker": Actor.for_seeker(referral.seeker),
        "system": Actor.system(),
    }[role]


def move_to(network, referral, status):
    """Bring a fresh referral to ``status`` the way a real one gets there."""
    if status == S.SENT:
        return referral
    referral = referral_mark_viewed(actor=network.claimer, referral=referral)
    if status == S.VIEWED:
        return referral
    return referral_change_status(actor=network.claimer, referral=referral, to_status=status)


# (from, to, reason, role, allowed)
CASES = [
    (S.SENT, S.ACCEPTED, "", "claimer", True),
    (S.VIEWED, S.ACCEPTED, "", "claimer", True),
    (S.VIEWED, S.NEEDS_CLIENT_ACTION, "", "claimer", True),
    (S.VIEWED, S.WAITLISTED, "", "claimer", True),
    (S.ACCEPTED, S.IN_SERVICE, "", "claimer", True),
    (S.WAITLISTED, S.ACCEPTED, "", "claimer", True),
    (S.VIEWED, S.ACCEPTED, "", "referrer", False),
    (S.VIEWED, S.ACCEPTED, "", "teammate", False),
    (S.VIEWED, S.ACCEPTED, "", "seeker", False),
    (S.VIEWED, S.ACCEPTED, "", "provider_admin", True),
    (S.VIEWED, S.ACCEPTED, "", "site_admin", False),
    (S.SENT, S.VIEWED, "", "claimer", False),
    (S.SENT, S.VIEWED, "", "system", True),
    (S.ACCEPTED, S.GOT_HELP, "", "claimer", True),
    (S.ACCEPTED, S.GOT_HELP, "", "referrer", True),
    (S.ACCEPTED, S.GOT_HELP, "", "teammate", True),
    (S.ACCEPTED, S.GOT_HELP, "", "seeker", True),
    (S.ACCEPTED, S.GOT_HELP, "", "site_admin", True),
    (S.ACCEPTED, S.GOT_HELP, "", "system", False),
    (S.VIEWED, S.DECLINED, R.NO_CAPACITY, "claimer", True),
    (S.VIEWED, S.DECLINED, R.NOT_ELIGIBLE, "claimer", True),
    (S.VIEWED, S.DECLINED, R.OUT_OF_AREA, "claimer", True),
    (S.VIEWED, S.DECLINED, R.OTHER, "claimer", True),
    (S.VIEWED, S.DECLINED, R.NO_CAPACITY, "referrer", False),
    (S.VIEWED, S.DECLINED, R.NO_CAPACITY, "seeker", False),
    (S.ACCEPTED, S.NOT_COMPLETED, R.COULDNT_CONTACT, "claimer", True),
    (S.ACCEPTED, S.NOT_COMPLETED, R.COULDNT_GET_HELP, "claimer", True),
    (S.ACCEPTED, S.NOT_COMPLETED, R.COULDNT_GET_HELP, "seeker", True),
    (S.ACCEPTED, S.NOT_COMPLETED, R.COULDNT_CONTACT, "seeker", False),
    (S.ACCEPTED, S.NOT_COMPLETED, R.COULDNT_GET_HELP, "referrer", False),
    (S.SENT, S.WITHDRAWN, R.NO_LONGER_INTERESTED, "referrer", True),
    (S.SENT, S.WITHDRAWN, R.NO_LONGER_INTERESTED, "teammate", True),
    (S.SENT, S.WITHDRAWN, R.REFERRED_ELSEWHERE, "seeker", True),
    (S.SENT, S.WITHDRAWN, R.NO_LONGER_INTERESTED, "claimer", False),
    (S.SENT, S.WITHDRAWN, R.EXPIRED_NO_RESPONSE, "system", True),
    (S.SENT, S.WITHDRAWN, R.EXPIRED_NO_RESPONSE, "referrer", False),
    (S.VIEWED, S.ENTERED_IN_ERROR, "", "referrer", True),
    (S.VIEWED, S.ENTERED_IN_ERROR, "", "site_admin", True),
    (S.VIEWED, S.ENTERED_IN_ERROR, "", "provider_admin", True),
    (S.VIEWED, S.ENTERED_IN_ERROR, "", "claimer", False),
    (S.VIEWED, S.ENTERED_IN_ERROR, "", "seeker", False),
]


@pytest.mark.parametrize("from_status,to_status,reason,role,allowed", CASES)
def test_transition_table(network, from_status, to_status, reason, role, allowed):
    referral = move_to(network, network.refer(), from_status)
    actor = actor_for(network, role, referral)
    note = "Wrong person." if to_status == S.ENTERED_IN_ERROR else ""
    version = referral.version
    if allowed:
        changed = referral_change_status(actor=actor, referral=referral, to_status=to_status, reason=reason, note=note)
        assert changed.status == to_status
        assert changed.status_reason == reason
        assert changed.version == version + 1
        assert changed.events.filter(kind="status_changed", to_status=to_status).exists()
    else:
        events = referral.events.count()
        with pytest.raises((NotAllowed, IllegalTransition)):
            referral_change_status(actor=actor, referral=referral, to_status=to_status, reason=reason, note=note)
        referral.refresh_from_db()
        assert referral.status == from_status
        assert referral.version == version
        assert referral.events.count() == events


@pytest.mark.parametrize("closed", [S.GOT_HELP, S.DECLINED, S.NOT_COMPLETED, S.WITHDRAWN, S.ENTERED_IN_ERROR])
@pytest.mark.parametrize("to_status", [S.ACCEPTED, S.IN_SERVICE, S.GOT_HELP, S.DECLINED])
def test_closed_referrals_only_reopen(network, closed, to_status):
    referral = move_to(network, network.refer(), S.ACCEPTED)
    reason = {S.DECLINED: R.OTHER, S.NOT_COMPLETED: R.COULDNT_CONTACT, S.WITHDRAWN: R.NO_LONGER_INTERESTED}
    actor = network.referrer if closed in (S.WITHDRAWN, S.ENTERED_IN_ERROR) else network.claimer
    referral = referral_change_status(
        actor=actor,
        referral=referral,
        to_status=closed,
        reason=reason.get(closed, ""),
        note="Oops" if closed == S.ENTERED_IN_ERROR else "",
    )
    if to_status == closed:
        return
    with pytest.raises(IllegalTransition):
        referral_change_status(
            actor=network.provider_admin, referral=referral, to_status=to_status, reason=reason.get(to_status, "")
        )


def test_closing_needs_its_reason(network):
    referral = move_to(network, network.refer(), S.VIEWED)
    with pytest.raises(ReasonRequired):
        referral_change_status(actor=network.claimer, referral=referral, to_status=S.DECLINED)
    with pytest.raises(InvalidReason):
        referral_change_status(
            actor=network.claimer, referral=referral, to_status=S.DECLINED, reason=R.NO_LONGER_INTERESTED
        )
    with pytest.raises(InvalidReason):
        referral_change_status(actor=network.claimer, referral=referral, to_status=S.ACCEPTED, reason=R.OTHER)
    with pytest.raises(NoteRequired):
        referral_change_status(actor=network.referrer, referral=referral, to_status=S.ENTERED_IN_ERROR)
    with pytest.raises(IllegalTransition):
        referral_change_status(actor=network.claimer, referral=referral, to_status="finished")
    referral.refresh_from_db()
    assert referral.status == S.VIEWED


def test_first_view_by_a_claimer_marks_viewed_once(network):
    referral = network.refer()
    referral_mark_viewed(actor=network.referrer, referral=referral)
    referral.refresh_from_db()
    assert referral.status == S.SENT
    referral_mark_viewed(actor=network.claimer, referral=referral)
    referral_mark_viewed(actor=network.claimer, referral=referral)
    referral.refresh_from_db()
    assert referral.status == S.VIEWED
    assert referral.events.filter(to_status=S.VIEWED).count() == 1
    assert referral.first_response_at is None  # viewing is not an answer


def test_parties_keep_their_own_word_on_the_outcome(network):
    referral = move_to(network, network.refer(), S.ACCEPTED)
    referral = referral_change_status(
        actor=Actor.for_seeker(network.seeker), referral=referral, to_status=S.NOT_COMPLETED, reason=R.COULDNT_GET_HELP
    )
    assert referral.first_response_at is not None
    assert referral.program_outcome == S.ACCEPTED
    assert referral.seeker_outcome == S.NOT_COMPLETED
    assert referral.referrer_outcome == ""


def test_reopen_needs_an_admin_and_a_note(network):
    referral = move_to(network, network.refer(), S.ACCEPTED)
    referral = referral_change_status(
        actor=network.claimer, referral=referral, to_status=S.DECLINED, reason=R.NO_CAPACITY
    )
    with pytest.raises(NotAllowed):
        referral_reopen(actor=network.claimer, referral=referral, note="Room opened up")
    with pytest.raises(NotAllowed):
        referral_reopen(actor=network.referrer, referral=referral, note="Please look again")
    from referrals.errors import NoteRequired as Missing

    with pytest.raises(Missing):
        referral_reopen(actor=network.provider_admin, referral=referral, note=" ")
    reopened = referral_reopen(actor=network.site_admin, referral=referral, note="Room opened up")
    assert reopened.status == S.ACCEPTED
    assert reopened.closed_at is None
    assert reopened.events.filter(kind="reopened").count() == 1
    assert Referral.objects.restrict(network.site_admin, "view:all").filter(pk=referral.pk).exists()


def test_allowed_targets_offer_only_what_each_party_may_do(network):
    claimer_targets = statuses.allowed_targets(S.VIEWED, {statuses.Party.CLAIMER})
    assert S.ACCEPTED in claimer_targets and S.DECLINED in claimer_targets
    assert S.WITHDRAWN not in claimer_targets and S.ENTERED_IN_ERROR not in claimer_targets
    seeker_targets = statuses.allowed_targets(S.ACCEPTED, {statuses.Party.SEEKER})
    assert set(seeker_targets) == {S.GOT_HELP, S.NOT_COMPLETED, S.WITHDRAWN}
    assert statuses.allowed_reasons(S.NOT_COMPLETED, {statuses.Party.SEEKER}) == [R.COULDNT_GET_HELP]


def test_every_status_maps_to_fhir():
    assert set(statuses.FHIR_TASK_STATUS) == set(S)


def test_the_status_menu_reads_the_same_in_every_process():
    """The statuses a claimer may choose come in the order they are declared, whatever the process's string
    hashing (a frozenset's order changed from one server process, or restart, to the next)."""
    import os
    import subprocess
    import sys

    script = (
        "import django; django.setup()\n"
        "from referrals import statuses\n"
        "print([s.value for s in statuses.allowed_targets('viewed', {statuses.Party.CLAIMER})])"
    )
    menus = set()
    for seed in ("1", "2", "3", "4"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
        menus.add(done.stdout.strip().splitlines()[-1])
    assert menus == {
        str(["needs_client_action", "accepted", "waitlisted", "in_service", "got_help", "declined", "not_completed"])
    }
