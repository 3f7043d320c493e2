"""Who gets which email, in which language, and that each is delivered once (in-process delivery)."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from notifications import services
from notifications.models import OutboxMessage
from referrals.actors import Actor
from referrals.models import ReferralEvent
from referrals.services import referral_change_status, referral_withdraw_consent

pytestmark = pytest.mark.django_db


def recipients(messages=None):
    return sorted(address for message in (messages or mail.outbox) for address in message.to)


def test_a_new_referral_emails_the_claimers_and_the_seeker(network, django_capture_on_commit_callbacks):
    network.program.next_steps = "Bring a photo ID to the pantry."
    network.program.expected_response_hours = 48
    network.program.save()
    with django_capture_on_commit_callbacks(execute=True):
        referral = network.refer()

    assert recipients() == sorted([network.claimer.email, network.seeker.email])
    to_seeker = next(message for message in mail.outbox if message.to == [network.seeker.email])
    assert "Community Food Pantry" in to_seeker.subject
    assert "within 2 days" in to_seeker.body
    assert "Bring a photo ID to the pantry." in to_seeker.body
    assert "I got help" in to_seeker.alternatives[0][0]
    to_claimer = next(message for message in mail.outbox if message.to == [network.claimer.email])
    assert "Luis Hernandez" in to_claimer.body
    assert network.seeker.email in to_claimer.body  # consent given: the program sees the contact details
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxMessage.Status.SENT}
    sent_events = referral.events.filter(kind=ReferralEvent.Kind.EMAIL_SENT)
    assert sorted(event.detail["to"] for event in sent_events) == ["Sam O.", "Seeker"]
    assert OutboxMessage.objects.count() == 2  # recording "email sent" wrote no further email


def test_a_seeker_who_asked_not_to_be_contacted_gets_nothing_and_the_program_sees_their_name_only(
    network, django_capture_on_commit_callbacks
):
    network.seeker.contact_preference = "do_not_contact"
    network.seeker.phone = "312-555-0199"
    network.seeker.save()
    with django_capture_on_commit_callbacks(execute=True):
        network.refer()

    assert recipients() == [network.claimer.email]
    assert "Luis Hernandez" in mail.outbox[0].body
    assert "312-555-0199" not in mail.outbox[0].body
    assert network.seeker.email not in mail.outbox[0].body


def test_a_status_change_tells_the_other_parties_each_with_their_own_link(network, django_capture_on_commit_callbacks):
    referral = network.refer()
    with django_capture_on_commit_callbacks(execute=True):
        referral_change_status(actor=network.claimer, referral=referral, to_status="accepted")

    assert recipients() == sorted([network.referrer.email, network.seeker.email])
    links = {message.to[0]: [line for line in message.body.split() if "/r/" in line] for message in mail.outbox}
    assert links[network.referrer.email] and links[network.seeker.email]
    assert not set(links[network.referrer.email]) & set(links[network.seeker.email])


def test_the_seeker_answering_by_email_link_tells_the_program_and_the_referrer_but_not_the_seeker(
    network, django_capture_on_commit_callbacks
):
    referral = network.refer()
    with django_capture_on_commit_callbacks(execute=True):
        referral_change_status(actor=Actor.for_seeker(network.seeker), referral=referral, to_status="got_help")

    assert recipients() == sorted([network.claimer.email, network.referrer.email])


def test_after_consent_is_withdrawn_the_program_sees_the_name_only(network, django_capture_on_commit_callbacks):
    network.seeker.phone = "312-555-0199"
    network.seeker.save()
    referral = network.refer()
    referral_withdraw_consent(actor=network.referrer, referral=referral)
    with django_capture_on_commit_callbacks(execute=True):
        referral_change_status(
            actor=network.referrer, referral=referral, to_status="withdrawn", reason="no_longer_interested"
        )

    to_claimer = next(message for message in mail.outbox if message.to == [network.claimer.email])
    assert "Luis Hernandez" in to_claimer.body
    assert "312-555-0199" not in to_claimer.body
    assert network.seeker.email not in to_claimer.body


def test_a_spanish_speaking_seeker_gets_spanish_email(network, django_capture_on_commit_callbacks):
    network.seeker.preferred_language = "es"
    network.seeker.save()
    with django_capture_on_commit_callbacks(execute=True):
        network.refer()

    to_seeker = next(message for message in mail.outbox if message.to == [network.seeker.email])
    assert "Community Food Pantry" in to_seeker.subject
    assert "Recibí ayuda" in to_seeker.body
    assert "within" not in to_seeker.body
    to_claimer = next(message for message in mail.outbox if message.to == [network.claimer.email])
    assert "New referral" in to_claimer.subject


def test_delivering_a_message_twice_sends_it_once(network):
    network.refer()  # on-commit callbacks are not run: the rows wait, pending
    ids = list(OutboxMessage.objects.values_list("pk", flat=True))
    for outbox_id in ids * 2:
        services.outbox_deliver(outbox_id=outbox_id)

    assert len(mail.outbox) == 2


def test_a_transient_failure_is_retried_and_a_permanent_one_marked_failed(network):
    import smtplib

    network.refer()
    first, second = OutboxMessage.objects.order_by("pk")
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=smtplib.SMTPServerDisconnected("gone")):
        delivery = services.outbox_deliver(outbox_id=first.pk)
    assert delivery.outcome == services.DeliveryOutcome.RETRY
    first.refresh_from_db()
    assert (first.status, first.attempts) == (OutboxMessage.Status.PENDING, 1)
    assert "gone" in first.last_error
    assert 0 < delivery.retry_in

    refused = smtplib.SMTPRecipientsRefused({second.recipient_email: (550, b"no such user")})
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=refused):
        assert services.outbox_deliver(outbox_id=second.pk).outcome == services.DeliveryOutcome.FAILED
    second.refresh_from_db()
    assert second.status == OutboxMessage.Status.FAILED

    # The backoff is kept: a duplicate task arriving before the row is due sends nothing.
    assert services.outbox_deliver(outbox_id=first.pk).outcome == services.DeliveryOutcome.SKIPPED
    OutboxMessage.objects.filter(pk=first.pk).update(next_attempt_at=timezone.now())  # the backoff has passed
    assert services.outbox_deliver(outbox_id=first.pk).outcome == services.DeliveryOutcome.SENT
    assert recipients() == [first.recipient_email]


def test_the_backoff_grows_and_stays_below_the_visibility_timeout(settings):
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 30
    settings.NOTIFICATION_RETRY_MAX_SECONDS = 10_000
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
    delays = [services.retry_delay(attempt) for attempt in range(1, 12)]
    assert 15 <= delays[0] <= 30
    assert max(delays) < 3600
    assert delays[6] > delays[0]


def test_the_sweep_queues_what_the_broker_lost_and_what_a_dead_worker_held(network):
    network.refer()
    lost, held = OutboxMessage.objects.order_by("pk")
    OutboxMessage.objects.filter(pk=held.pk).update(
        status=OutboxMessage.Status.SENDING, lease_until=timezone.now() + timedelta(minutes=5)
    )
    assert services.outbox_requeue_stale(now=timezone.now()) == 0  # too early for both

    assert services.outbox_requeue_stale(now=timezone.now() + timedelta(minutes=10)) == 2
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxMessage.Status.SENT}
    assert len(mail.outbox) == 2
    assert services.outbox_requeue_stale(now=timezone.now() + timedelta(minutes=20)) == 0


def test_the_admin_retry_action_sends_failed_messages_again(network, client, django_capture_on_commit_callbacks):
    from django.contrib.auth import get_user_model

    network.refer()
    OutboxMessage.objects.update(status=OutboxMessage.Status.FAILED, last_error="550 mailbox full")
    admin = get_user_model().objects.create_superuser(
        email="root@network.example", password="x", first_name="Root", last_name="Admin"
    )
    client.force_login(admin)
    listing = client.get("/admin/notifications/outboxmessage/?status__exact=failed").content.decode()
    assert "550 mailbox full" in listing
    ids = list(OutboxMessage.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/notifications/outboxmessage/", {"action": "retry", "_selected_action": ids}, follow=True
        )

    assert response.status_code == 200
    assert "2 failed message(s) queued again" in response.content.decode()
    message = OutboxMessage.objects.first()
    assert client.get(f"/admin/notifications/outboxmessage/{message.pk}/change/").status_code == 200
    assert client.get("/admin/referrals/escalationstep/").status_code == 200
    assert len(mail.outbox) == 2
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxMessage.Status.SENT}


def test_the_beat_schedule_runs_both_sweeps():
    from referrals_site.celery import app

    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    # Other apps add their own sweeps (webhooks, retention); these two must be among them.
    assert {"core.tasks.sweep_outboxes", "referrals.tasks.sweep_escalations"} <= scheduled
    app.loader.import_default_modules()  # autodiscovery is lazy; a worker does this at start
    assert scheduled <= set(app.tasks)


def test_the_new_assignee_is_told_unless_they_took_it_themselves(network, django_capture_on_commit_callbacks):
    from programs.services import program_add_claimer
    from referrals.services import referral_assign

    program_add_claimer(program=network.program, user=network.other_claimer)
    referral = network.refer()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        referral_assign(actor=network.claimer, referral=referral, assignee=network.other_claimer)
    assert [(message.to[0], message.subject) for message in mail.outbox] == [
        (network.other_claimer.email, "A referral to Community Food Pantry was assigned to you")
    ]

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        referral_assign(actor=network.claimer, referral=referral, assignee=network.claimer)
    assert mail.outbox == []


def test_a_backoff_longer_than_the_visibility_timeout_is_refused_at_start_up(settings):
    from notifications.apps import check_retry_below_visibility_timeout

    assert check_retry_below_visibility_timeout() == []
    settings.NOTIFICATION_RETRY_MAX_SECONDS = 4000
    errors = check_retry_below_visibility_timeout()
    assert {error.id for error in errors} == {"notifications.E002"}
