import json
from datetime import timedelta

from django.utils import timezone

from goals.models import Goal
from privacy.models import AccessRecord
from privacy.services import ERASED_NAME, access_record, seeker_erase, seekers_due_for_erasure, seekers_erase_inactive
from privacy.tasks import erase_inactive_seekers
from programs.services import program_set_questions
from referrals.models import Note, Referral, ReferralEvent
from referrals.services import note_add, referral_set_goal
from seekers.models import Seeker


def _story(network):
    goal = Goal.objects_across_tenants.create(
        organization=network.site, seeker=network.seeker, title="Housing for Luis", created_by=network.referrer
    )
    [question] = program_set_questions(
        actor=network.claimer, program=network.program, questions=[{"kind": "yes_no", "text": "Is the rent overdue?"}]
    )
    referral = network.refer(comment="Luis lives at 12 Elm St", answers={str(question.public_id): "yes"})
    note_add(actor=network.referrer, referral=referral, body="Called Luis at 555-0100")
    referral_set_goal(actor=network.referrer, referral=referral, goal=goal)
    return referral


def test_an_admin_downloads_everything_held_about_a_seeker(client, network):
    referral = _story(network)
    client.force_login(network.site_admin)
    response = client.post(f"/people/{network.seeker.public_id}/export/")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["profile"]["first_name"] == "Luis" and data["profile"]["last_name"] == "Hernandez"
    assert data["goals"][0]["title"] == "Housing for Luis"
    [exported] = data["referrals"]
    assert exported["id"] == str(referral.public_id) and exported["comment"] == "Luis lives at 12 Elm St"
    assert exported["notes"][0]["body"] == "Called Luis at 555-0100"
    assert exported["intake_answers"] == [{"question": "Is the rent overdue?", "answer": True}]
    assert {event["kind"] for event in exported["history"]} >= {"created", "note_added", "goal_changed"}
    assert AccessRecord.objects_across_tenants.filter(
        seeker=network.seeker, action="exported", user=network.site_admin
    ).exists()


def test_export_and_erasure_are_for_admins_of_the_seekers_organization(client, network):
    client.force_login(network.referrer)
    assert client.post(f"/people/{network.seeker.public_id}/export/").status_code == 403
    assert client.post(f"/people/{network.seeker.public_id}/erase/", {"confirm": "on"}).status_code == 403
    client.force_login(network.outsider_admin)
    assert client.post(f"/people/{network.seeker.public_id}/export/").status_code == 404
    assert client.post(f"/people/{network.seeker.public_id}/erase/", {"confirm": "on"}).status_code == 404
    network.seeker.refresh_from_db()
    assert network.seeker.first_name == "Luis"


def test_erasure_removes_personal_data_and_keeps_the_referrals(client, network):
    referral = _story(network)
    events_before = ReferralEvent.objects_across_tenants.filter(referral=referral).count()
    network.seeker.email, network.seeker.phone = "luis@example.org", "555-0100"
    network.seeker.save()
    client.force_login(network.site_admin)
    assert client.post(f"/people/{network.seeker.public_id}/erase/").status_code == 400  # needs the tick
    response = client.post(f"/people/{network.seeker.public_id}/erase/", {"confirm": "on"})
    assert response.status_code == 302
    seeker = Seeker.objects_across_tenants.get(pk=network.seeker.pk)
    assert (seeker.first_name, seeker.last_name, seeker.email, seeker.phone, seeker.zip_code, seeker.date_of_birth) == (
        ERASED_NAME,
        "",
        "",
        "",
        "",
        None,
    )
    assert seeker.does_not_want_contact
    referral = Referral.objects_across_tenants.get(pk=referral.pk)
    assert referral.comment == "" and referral.status == "sent" and referral.program == network.program
    assert referral.intake_answers == []
    assert Note.objects_across_tenants.get(referral=referral).body == "(erased)"
    assert Goal.objects_across_tenants.get(seeker=seeker).title == "(erased)"
    goal_event = ReferralEvent.objects_across_tenants.get(referral=referral, kind="goal_changed")
    assert "Luis" not in json.dumps(goal_event.detail)
    assert ReferralEvent.objects_across_tenants.filter(referral=referral).count() == events_before  # history kept
    assert AccessRecord.objects_across_tenants.filter(seeker=seeker, action="erased", user=network.site_admin).exists()


def test_erasure_removes_the_seekers_own_addresses_from_access_records(rf, network):
    referral = network.refer()
    access_record(
        referral=referral,
        request=rf.get("/", REMOTE_ADDR="198.51.100.7", HTTP_USER_AGENT="Phone"),
        via=AccessRecord.Via.EMAIL_LINK,
    )
    access_record(user=network.claimer, referral=referral, request=rf.get("/", REMOTE_ADDR="203.0.113.1"))
    seeker_erase(actor=network.site_admin, seeker=network.seeker)
    link_use = AccessRecord.objects_across_tenants.get(seeker=network.seeker, via="email_link")
    assert link_use.ip_address is None and link_use.user_agent == ""
    staff_view = AccessRecord.objects_across_tenants.get(seeker=network.seeker, user=network.claimer)
    assert staff_view.ip_address == "203.0.113.1"


def test_retention_is_off_by_default(network):
    Seeker.objects_across_tenants.filter(pk=network.seeker.pk).update(
        last_activity_at=timezone.now() - timedelta(days=5000), updated_at=timezone.now() - timedelta(days=5000)
    )
    assert seekers_erase_inactive() == 0


def test_retention_erases_seekers_with_no_activity_for_the_period(network, settings):
    settings.SEEKER_RETENTION_DAYS = 365
    long_ago = timezone.now() - timedelta(days=400)
    Seeker.objects_across_tenants.filter(pk__in=[network.seeker.pk, network.outsider_seeker.pk]).update(
        last_activity_at=long_ago, updated_at=long_ago
    )
    network.refer()  # a referral updated now keeps Luis
    assert list(seekers_due_for_erasure()) == [network.outsider_seeker]
    assert erase_inactive_seekers.delay().get() == {"seekers erased": 1}
    assert Seeker.objects_across_tenants.get(pk=network.outsider_seeker.pk).first_name == ERASED_NAME
    assert Seeker.objects_across_tenants.get(pk=network.seeker.pk).first_name == "Luis"
    assert erase_inactive_seekers.delay().get() == {"seekers erased": 0}  # safe to run twice
    record = AccessRecord.objects_across_tenants.get(seeker=network.outsider_seeker, action="erased")
    assert record.user is None and record.via == "system"


def test_the_retention_sweep_is_on_the_beat_schedule_beside_the_other_sweeps():
    from referrals_site.celery import app

    schedule = app.conf.beat_schedule
    assert schedule["retention"]["task"] == "privacy.tasks.erase_inactive_seekers"
    assert {"outbox", "escalation"} <= set(schedule)
