"""Silence escalates once per step at the right time; expiry closes and offers a re-referral; follow-up."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from notifications.models import OutboxMessage
from programs.models import Category
from referrals.models import EscalationStep
from referrals.services import referral_change_status
from referrals.sweeps import escalation_sweep

pytestmark = pytest.mark.django_db


@pytest.fixture
def food(network):
    category = Category.objects.create(name="Food", slug="food")
    network.program.categories.add(category)
    network.other_program.categories.add(category)
    network.program.expected_response_hours = 24
    network.program.save()
    return category


def sweep_at(when, capture):
    mail.outbox.clear()
    with capture(execute=True):
        escalation_sweep(now=when)
    return sorted((message.to[0], message.subject) for message in mail.outbox)


def test_every_step_fires_once_at_its_time(network, food, django_capture_on_commit_callbacks, settings):
    settings.REFERRAL_EXPIRY_DAYS = 30
    referral = network.refer()
    start = referral.sent_at
    capture = django_capture_on_commit_callbacks

    assert sweep_at(start + timedelta(hours=23), capture) == []
    assert sweep_at(start + timedelta(hours=25), capture) == [
        (network.claimer.email, "No answer yet: referral to Community Food Pantry")
    ]
    assert sweep_at(start + timedelta(hours=26), capture) == []
    assert [to for to, _ in sweep_at(start + timedelta(hours=49), capture)] == [network.provider_admin.email]
    assert sweep_at(start + timedelta(hours=50), capture) == []
    assert [to for to, _ in sweep_at(start + timedelta(hours=73), capture)] == [network.referrer.email]
    assert sweep_at(start + timedelta(days=29), capture) == []

    expired = sweep_at(start + timedelta(days=30, minutes=1), capture)
    referral.refresh_from_db()
    assert (referral.status, referral.status_reason) == ("withdrawn", "expired_no_response")
    assert {to for to, _ in expired} == {network.claimer.email, network.seeker.email, network.referrer.email}
    offer = next(message for message in mail.outbox if message.to == [network.referrer.email])
    assert "Mobile Food Market" in offer.body
    assert f"/programs/{network.other_program.public_id}/connect/?seeker={network.seeker.public_id}" in offer.body
    history = referral.events.get(to_status="withdrawn")
    assert history.actor_display == "System"

    assert sweep_at(start + timedelta(days=40), capture) == []
    assert sorted(referral.escalation_steps.values_list("step", flat=True)) == sorted(
        ["claimer_reminder", "admin_escalation", "referrer_escalation", "expired"]
    )


def test_an_answered_referral_is_not_chased(network, food, django_capture_on_commit_callbacks):
    referral = network.refer()
    referral_change_status(actor=network.claimer, referral=referral, to_status="waitlisted")

    assert sweep_at(referral.sent_at + timedelta(days=3), django_capture_on_commit_callbacks) == []
    assert not EscalationStep.objects.exists()


def test_a_late_sweep_sends_only_the_step_now_due(network, food, django_capture_on_commit_callbacks):
    referral = network.refer()
    sent = sweep_at(referral.sent_at + timedelta(hours=80), django_capture_on_commit_callbacks)

    assert [to for to, _ in sent] == [network.referrer.email]
    steps = dict(referral.escalation_steps.values_list("step", "skipped"))
    assert steps == {"claimer_reminder": True, "admin_escalation": True, "referrer_escalation": False}


def test_expiry_without_a_matching_program_says_so(network, food, django_capture_on_commit_callbacks):
    network.other_program.accepts_referrals = False
    network.other_program.save()
    referral = network.refer()
    sweep_at(referral.sent_at + timedelta(days=31), django_capture_on_commit_callbacks)

    offer = next(message for message in mail.outbox if message.to == [network.referrer.email])
    assert "no other program" in offer.body


def test_the_seeker_is_asked_whether_they_got_help_once(network, django_capture_on_commit_callbacks, settings):
    settings.FOLLOW_UP_AFTER_ACCEPTED_DAYS = 14
    referral = network.refer()
    referral_change_status(actor=network.claimer, referral=referral, to_status="accepted")
    now = timezone.now()
    capture = django_capture_on_commit_callbacks

    assert sweep_at(now + timedelta(days=13), capture) == []
    asked = sweep_at(now + timedelta(days=14, minutes=1), capture)
    assert asked == [(network.seeker.email, "Did you get help from Community Food Pantry?")]
    assert "?answer=got_help" in mail.outbox[0].body
    assert sweep_at(now + timedelta(days=20), capture) == []
    assert OutboxMessage.objects.filter(kind="follow_up").count() == 1


def test_a_seeker_who_asked_not_to_be_contacted_is_not_followed_up(network, django_capture_on_commit_callbacks):
    network.seeker.contact_preference = "do_not_contact"
    network.seeker.save()
    referral = network.refer()
    referral_change_status(actor=network.claimer, referral=referral, to_status="accepted")

    assert sweep_at(timezone.now() + timedelta(days=30), django_capture_on_commit_callbacks) == []
