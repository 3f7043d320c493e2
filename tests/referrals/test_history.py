"""History lines name the actor as "First L." and the organization by the rule of DESIGN.md."""

from datetime import timedelta

from django.utils import timezone

from accounts.services import membership_set
from programs.services import program_add_claimer
from referrals import statuses
from referrals.actors import Actor
from referrals.selectors import referral_history
from referrals.services import note_add, referral_change_status, referral_mark_viewed


def test_lines_name_person_and_organization(network):
    referral = network.refer()
    referral_mark_viewed(actor=network.claimer, referral=referral)
    referral_change_status(actor=network.claimer, referral=referral, to_status=statuses.Status.ACCEPTED)
    referral_change_status(
        actor=Actor.for_seeker(network.seeker), referral=referral, to_status=statuses.Status.GOT_HELP
    )
    lines = [
        (e.actor_display, e.actor_organization, e.kind, e.from_status, e.to_status) for e in referral_history(referral)
    ]
    assert lines[0] == ("Seeker (email link)", "", "status_changed", "accepted", "got_help")
    assert lines[1] == ("Sam O.", "Community Food Pantry", "status_changed", "viewed", "accepted")
    assert lines[2] == ("Sam O.", "Community Food Pantry", "status_changed", "sent", "viewed")
    assert lines[-1] == ("Maria G.", "Northside Health Center", "created", "", "sent")


def test_system_steps_say_system(network):
    referral = network.refer()
    referral_change_status(
        actor=Actor.system(),
        referral=referral,
        to_status=statuses.Status.WITHDRAWN,
        reason=statuses.Reason.EXPIRED_NO_RESPONSE,
    )
    latest = referral_history(referral).first()
    assert (latest.actor_display, latest.actor_organization, latest.via) == ("System", "", "system")


def test_worker_and_claimer_first_joined_wins(network):
    lena = network.other_claimer  # claimer on Mobile Food Market since now
    membership_set(user=lena, organization=network.site, joined_at=timezone.now() + timedelta(days=1))
    referral = network.refer(program=network.other_program)
    referral_mark_viewed(actor=lena, referral=referral)
    assert referral_history(referral).first().actor_organization == "Mobile Food Market"

    worker_first = network.teammate  # worker at the site for a while
    program_add_claimer(program=network.other_program, user=worker_first, joined_at=timezone.now() + timedelta(days=30))
    referral_change_status(actor=worker_first, referral=referral, to_status=statuses.Status.ACCEPTED)
    assert referral_history(referral).first().actor_organization == "Northside Health Center"


def test_a_claimer_of_several_programs_is_named_by_the_program_of_the_referral(network):
    sam = network.claimer  # claimer on Community Food Pantry first, then also on Mobile Food Market
    program_add_claimer(program=network.other_program, user=sam, joined_at=timezone.now() + timedelta(days=1))
    referral = network.refer(program=network.other_program)
    referral_mark_viewed(actor=sam, referral=referral)
    note_add(actor=sam, referral=referral, body="Called, left a voicemail.")

    assert {e.actor_organization for e in referral_history(referral) if e.actor_display == "Sam O."} == {
        "Mobile Food Market"
    }
    assert referral.notes.get().author_organization == "Mobile Food Market"


def test_history_is_newest_first_and_events_are_kept_as_written(network):
    referral = network.refer()
    referral_mark_viewed(actor=network.claimer, referral=referral)
    events = list(referral_history(referral))
    assert [e.kind for e in events] == ["status_changed", "consent_given", "created"]
    network.claimer.first_name = "Samuel"
    network.claimer.save()
    assert referral_history(referral).first().actor_display == "Sam O."
