"""Stalled referrals: answered once, then left alone. The clock moves through each stall period."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from notifications.links import link_url
from programs.models import Category
from referrals import stalls
from referrals.models import Referral, ReferralEvent
from referrals.services import referral_change_status, referral_confirm_status
from referrals.sweeps import stall_sweep

pytestmark = pytest.mark.django_db


@pytest.fixture
def food(network):
    category = Category.objects.create(name="Food", slug="food")
    network.program.categories.add(category)
    network.other_program.categories.add(category)
    network.other_program.capacity_available = 4
    network.other_program.save()
    return category


def answered(network, status, *, at=None):
    referral = network.refer()
    referral_change_status(actor=network.claimer, referral=referral, to_status=status)
    referral.refresh_from_db()
    return referral


def sweep_at(when, capture):
    mail.outbox.clear()
    with capture(execute=True):
        taken = stall_sweep(now=when)
    return taken, sorted((message.to[0], message.subject) for message in mail.outbox)


def stalled_events(referral):
    return list(referral.events.filter(kind=ReferralEvent.Kind.STALLED).order_by("created_at"))


def test_a_waitlisted_referral_is_chased_once_per_stall_period(network, food, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    referral = answered(network, "waitlisted")
    start = referral.stall_due_at - timedelta(days=14)
    assert abs(start - timezone.now()) < timedelta(minutes=1)  # 14 days, the network's default

    assert sweep_at(start + timedelta(days=13, hours=23), capture)[1] == []
    taken, sent = sweep_at(start + timedelta(days=14, minutes=1), capture)
    assert taken == {"claimer checks": 1, "referrer alerts": 0, "seeker reminders": 0}
    assert sent == [(network.claimer.email, "Still “Waitlisted”? Referral to Community Food Pantry")]
    body = mail.outbox[0].body
    assert "has been “Waitlisted” for 14 days with no update" in body
    links = re.findall(rf"^(.+): (http\S+/r/{referral.public_id}/\S+)$", body, re.MULTILINE)
    assert [(label, url.rsplit("?answer=", 1)[-1]) for label, url in links][:3] == [
        ("Still “Waitlisted”", "confirm"),
        ("Service started", "in_service"),
        ("Closed: not completed", "not_completed"),
    ]
    (event,) = stalled_events(referral)
    assert (event.actor_display, event.to_status, event.created_at) == (
        "System",
        "waitlisted",
        start + timedelta(days=14, minutes=1),
    )
    assert event.detail["told"] == "claimers" and event.detail["step"] == 1

    assert sweep_at(start + timedelta(days=20), capture)[1] == []  # once per period

    taken, sent = sweep_at(start + timedelta(days=28, minutes=1), capture)
    assert taken["referrer alerts"] == 1
    assert sent == [
        (network.referrer.email, "No progress: your referral to Community Food Pantry is still “Waitlisted”")
    ]
    body = mail.outbox[0].body
    assert "for 28 days, and the program has not updated it" in body
    assert "Mobile Food Market (4 open slots)" in body
    assert f"/programs/{network.other_program.public_id}/connect/?seeker={network.seeker.public_id}" in body

    assert sweep_at(start + timedelta(days=42, minutes=1), capture)[1] == [
        (network.claimer.email, "Still “Waitlisted”? Referral to Community Food Pantry")
    ]
    assert [event.detail["step"] for event in stalled_events(referral)] == [1, 2, 3]
    referral.refresh_from_db()
    assert referral.version == 2  # the sweep's bookkeeping is no change a writer could collide with


def test_a_full_program_is_not_offered(network, food, django_capture_on_commit_callbacks):
    network.other_program.capacity_available = 0
    network.other_program.save()
    referral = answered(network, "waitlisted")
    sweep_at(referral.stall_due_at + timedelta(days=14, minutes=1), django_capture_on_commit_callbacks)
    assert "We found no other program in the same category with open slots now." in mail.outbox[0].body


def test_a_late_sweep_takes_only_the_step_now_due(network, food, django_capture_on_commit_callbacks):
    referral = answered(network, "waitlisted")
    taken, sent = sweep_at(referral.stall_due_at + timedelta(days=15), django_capture_on_commit_callbacks)
    assert [to for to, _ in sent] == [network.referrer.email]
    assert [event.detail["step"] for event in stalled_events(referral)] == [2]


def waitlisted_long_ago(network, days):
    """A referral waitlisted ``days`` ago (its stall period started then)."""
    referral = answered(network, "waitlisted")
    Referral.objects_across_tenants.filter(pk=referral.pk).update(
        stall_due_at=timezone.now() - timedelta(days=days) + timedelta(days=14)
    )
    referral.refresh_from_db()
    return referral


def test_the_claimers_confirm_with_one_click_and_a_new_period_starts(network, food, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    referral = waitlisted_long_ago(network, 15)
    assert [to for to, _ in sweep_at(timezone.now(), capture)[1]] == [network.claimer.email]
    url = link_url(referral=referral, user=network.claimer, answer="confirm")
    path = url[url.index("/r/") :]

    page = Client().get(path)
    assert page.status_code == 200 and "Still “Waitlisted”" in page.content.decode()
    referral.refresh_from_db()
    assert referral.stall_step == 1  # a GET changes nothing

    with capture(execute=True):
        answer = Client().post(path.split("?")[0], {"choice": "confirm"})
    assert answer.status_code == 200
    referral.refresh_from_db()
    assert referral.status == "waitlisted" and referral.stall_step == 0
    assert timedelta(days=13, hours=23) < referral.stall_due_at - timezone.now() <= timedelta(days=14)
    confirmed = referral.events.get(kind=ReferralEvent.Kind.STATUS_CONFIRMED)
    assert confirmed.actor == network.claimer and confirmed.via == "email_link"

    # Without the confirmation the referrer would have been told at 28 days; now nobody is, until the new
    # period runs out and the claimers are asked again.
    assert sweep_at(timezone.now() + timedelta(days=13), capture)[1] == []
    assert [to for to, _ in sweep_at(referral.stall_due_at + timedelta(minutes=1), capture)[1]] == [
        network.claimer.email
    ]


def test_started_and_closed_are_status_changes_by_link(network, food, django_capture_on_commit_callbacks):
    referral = answered(network, "waitlisted")
    url = link_url(referral=referral, user=network.claimer, answer="in_service")
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(url[url.index("/r/") :].split("?")[0], {"choice": "in_service"})
    referral.refresh_from_db()
    assert referral.status == "in_service"
    assert referral.stall_due_at - timezone.now() > timedelta(days=59)  # in service: 60 days


def test_only_the_program_confirms_and_only_a_status_that_stalls(network, food):
    from core.errors import NotAllowed
    from referrals.errors import IllegalTransition

    referral = answered(network, "accepted")
    with pytest.raises(NotAllowed):
        referral_confirm_status(actor=network.referrer, referral=referral)
    fresh = network.refer(program=network.other_program)
    with pytest.raises(IllegalTransition):
        referral_confirm_status(actor=network.other_claimer, referral=fresh)
    assert not ReferralEvent.objects_across_tenants.filter(kind="status_confirmed").exists()


def test_a_status_change_starts_a_new_period(network, food, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    referral = waitlisted_long_ago(network, 20)
    referral_change_status(actor=network.claimer, referral=referral, to_status="accepted")
    referral.refresh_from_db()
    assert referral.stall_step == 0
    assert sweep_at(timezone.now(), capture)[1] == []
    assert sweep_at(timezone.now() + timedelta(days=13), capture)[1] == []
    assert sweep_at(referral.stall_due_at + timedelta(minutes=1), capture)[1] == [
        (network.claimer.email, "Still “Accepted”? Referral to Community Food Pantry")
    ]
    assert "Service started" in mail.outbox[0].body


def test_needs_client_action_reminds_the_seeker_first_in_their_language(
    network, food, django_capture_on_commit_callbacks
):
    network.seeker.preferred_language = "es"
    network.seeker.save()
    network.program.next_steps_es = "Traiga un comprobante de domicilio."
    network.program.save()
    referral = answered(network, "needs_client_action")
    assert referral.stall_due_at - timezone.now() > timedelta(days=2, hours=23)  # 3 days

    taken, sent = sweep_at(referral.stall_due_at + timedelta(minutes=1), django_capture_on_commit_callbacks)
    assert taken == {"claimer checks": 1, "referrer alerts": 0, "seeker reminders": 1}
    assert (network.seeker.email, "Community Food Pantry está esperando noticias suyas") in sent
    reminder = next(message for message in mail.outbox if message.to == [network.seeker.email])
    assert "Traiga un comprobante de domicilio." in reminder.body
    assert "Lo que pide el programa:" in reminder.body
    assert network.claimer.email in [to for to, _ in sent]

    taken, sent = sweep_at(referral.stall_due_at + timedelta(days=3, minutes=1), django_capture_on_commit_callbacks)
    assert [to for to, _ in sent] == [network.referrer.email]  # the seeker is reminded once per stall
    assert taken["seeker reminders"] == 0


def test_a_late_first_step_still_reminds_the_seeker_once(network, food, django_capture_on_commit_callbacks):
    referral = answered(network, "needs_client_action")
    taken, sent = sweep_at(referral.stall_due_at + timedelta(days=3, minutes=1), django_capture_on_commit_callbacks)
    assert taken == {"claimer checks": 0, "referrer alerts": 1, "seeker reminders": 1}
    assert sorted(to for to, _ in sent) == sorted([network.referrer.email, network.seeker.email])
    taken, _ = sweep_at(referral.stall_due_at + timedelta(days=6, minutes=1), django_capture_on_commit_callbacks)
    assert taken == {"claimer checks": 1, "referrer alerts": 0, "seeker reminders": 0}


def test_a_program_sets_its_own_period(network, food, django_capture_on_commit_callbacks):
    network.program.stall_days_in_service = 30
    network.program.save()
    referral = answered(network, "in_service")
    assert stalls.stall_period(network.program, "in_service") == timedelta(days=30)
    assert stalls.stall_period(network.other_program, "in_service") == timedelta(days=60)
    sent = sweep_at(referral.sent_at + timedelta(days=30, minutes=5), django_capture_on_commit_callbacks)[1]
    assert sent == [(network.claimer.email, "Still “In service”? Referral to Community Food Pantry")]
    assert "Finished: the person got help" in mail.outbox[0].body


def test_closed_and_unanswered_referrals_never_stall(network, food, django_capture_on_commit_callbacks):
    network.refer(program=network.other_program)
    closed = answered(network, "waitlisted")
    referral_change_status(actor=network.claimer, referral=closed, to_status="got_help")
    closed.refresh_from_db()
    assert closed.stall_due_at is None
    assert sweep_at(timezone.now() + timedelta(days=200), django_capture_on_commit_callbacks)[1] == []


CONFIRMS = {
    "referrer": False,
    "teammate": False,
    "private_worker": False,
    "site_admin": False,
    "claimer": True,
    "other_claimer": False,
    "provider_admin": True,
    "outsider": False,
    "outsider_admin": False,
}


@pytest.mark.parametrize("person", CONFIRMS)
def test_the_rule_book_says_who_confirms_a_status(network, person):
    from referrals.policies import referral_access

    referral = answered(network, "waitlisted")
    assert referral_access(getattr(network, person), referral).may("confirm_status") is CONFIRMS[person]
    sent = network.refer(program=network.other_program)
    assert not referral_access(network.other_claimer, sent).may("confirm_status")  # nothing answered to confirm


def test_the_history_says_what_the_sweep_did(network, food, django_capture_on_commit_callbacks):
    from referrals.templatetags.referral_display import event_words

    referral = waitlisted_long_ago(network, 29)
    sweep_at(timezone.now(), django_capture_on_commit_callbacks)
    (event,) = stalled_events(referral)
    assert event_words(event) == (
        "noted it has been Waitlisted for 28 days with no update: told the referrer, with programs that have open slots"
    )
    referral_confirm_status(actor=network.claimer, referral=referral)
    assert event_words(referral.events.get(kind="status_confirmed")) == "confirmed the status is still Waitlisted"
