"""Forwarding (issue 15 item 3): from an inbound referral, a claimer sends it on to another program in one
transaction; the original closes as declined, forwarded, linked to the new referral made on behalf of the
forwarding program; the original referrer keeps access and their emails; the seeker is told once."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.errors import InvalidInput, NotAllowed
from notifications.models import OutboxMessage
from programs.models import Program
from referrals import services
from referrals.errors import ConsentRequired, DuplicateOpenReferral, IllegalTransition, InvalidReason
from referrals.models import Referral, ReferralEvent
from referrals.policies import may_see, referral_access
from tests import factories


@pytest.fixture
def pantry_47th(network):
    organization = factories.OrganizationFactory(name="Uptown Pantry Network", runs_site=False)
    return factories.ProgramFactory(organization=organization, name="47th Street Pantry")


def _state():
    return (
        sorted(Referral.objects.unscoped("test").values_list("public_id", "status", "status_reason", "version")),
        ReferralEvent.objects.unscoped("test").count(),
        OutboxMessage.objects.count(),
    )


def test_forwarding_makes_the_new_referral_and_closes_the_original_in_one_step(network, pantry_47th):
    original = network.refer(comment="Needs groceries for four.")
    forwarded = services.referral_forward(
        actor=network.claimer,
        referral=original,
        program=pantry_47th,
        comment="We're full; the pantry on 47th can help.",
        consent_method="verbal",
    )
    original.refresh_from_db()
    assert original.status == "declined" and original.status_reason == "forwarded"
    assert original.replaced_by == forwarded and original.forwarded_to == forwarded
    assert forwarded.forwarded_from == original and forwarded.program == pantry_47th
    assert forwarded.on_behalf_of_program == network.program and forwarded.referred_by == network.claimer
    assert forwarded.organization == network.provider and forwarded.seeker == network.seeker
    assert forwarded.status == "sent" and forwarded.has_consent and forwarded.consent_recorded_by == network.claimer
    assert forwarded.comment == "We're full; the pantry on 47th can help."
    closing = original.events.get(kind="status_changed", to_status="declined")
    assert closing.detail["forwarded_to"] == str(forwarded.public_id) and closing.actor_display == "Sam O."
    created = forwarded.events.get(kind="created")
    assert created.detail["forwarded_from"] == str(original.public_id)


def test_the_original_referrer_keeps_access_and_the_new_program_receives_it(network, pantry_47th):
    original = network.refer()
    forwarded = services.referral_forward(
        actor=network.claimer, referral=original, program=pantry_47th, consent_method="verbal"
    )
    for user in (network.referrer, network.teammate, network.site_admin, network.claimer):
        assert may_see(user, forwarded), user
    assert referral_access(network.referrer, forwarded).may("add_note")
    new_claimer = factories.claimer(pantry_47th, first_name="Ola", last_name="Berg")
    assert may_see(new_claimer, forwarded) and not may_see(new_claimer, original)
    assert not may_see(network.outsider, forwarded) and not may_see(network.other_claimer, forwarded)
    services.referral_change_status(actor=new_claimer, referral=forwarded, to_status="accepted")


def test_the_seeker_is_told_once_and_the_referrer_gets_the_usual_emails(
    network, pantry_47th, django_capture_on_commit_callbacks
):
    original = network.refer()
    OutboxMessage.objects.all().delete()
    new_claimer = factories.claimer(pantry_47th, first_name="Ola", last_name="Berg")
    forwarded = services.referral_forward(
        actor=network.claimer, referral=original, program=pantry_47th, consent_method="verbal"
    )
    seeker_mail = OutboxMessage.objects.filter(recipient_seeker=network.seeker)
    assert seeker_mail.count() == 1
    message = seeker_mail.get()
    assert message.referral == forwarded
    assert (
        "Community Food Pantry cannot help you this time and sent your referral on to 47th Street Pantry"
        in message.body_text
    )
    to_maria = OutboxMessage.objects.get(recipient_user=network.referrer)
    assert to_maria.referral == original and "47th Street Pantry" in to_maria.body_text
    assert OutboxMessage.objects.filter(recipient_user=new_claimer, referral=forwarded, kind="new_referral").exists()
    OutboxMessage.objects.all().delete()
    services.referral_change_status(actor=new_claimer, referral=forwarded, to_status="accepted")
    assert OutboxMessage.objects.filter(recipient_user=network.referrer, referral=forwarded).exists()


def test_a_spanish_speaker_reads_the_forwarding_in_spanish(network, pantry_47th):
    type(network.seeker).objects_across_tenants.filter(pk=network.seeker.pk).update(preferred_language="es")
    original = network.refer()
    OutboxMessage.objects.all().delete()
    services.referral_forward(actor=network.claimer, referral=original, program=pantry_47th, consent_method="verbal")
    message = OutboxMessage.objects.get(recipient_seeker=network.seeker)
    assert "no puede ayudarle esta vez y envió su referencia a 47th Street Pantry" in message.body_text


@pytest.mark.parametrize(
    "case", ["closed", "same_program", "not_accepting", "no_consent", "not_a_claimer", "duplicate", "by_referrer"]
)
def test_bad_forwarding_is_refused_and_changes_nothing(network, pantry_47th, case):
    original = network.refer()
    actor, program, consent = network.claimer, pantry_47th, "verbal"
    expected = InvalidInput
    if case == "closed":
        services.referral_change_status(
            actor=network.claimer, referral=original, to_status="declined", reason="no_capacity"
        )
        original.refresh_from_db()
        expected = IllegalTransition
    elif case == "same_program":
        program = network.program
    elif case == "not_accepting":
        Program.objects.unscoped("test").filter(pk=pantry_47th.pk).update(accepts_referrals=False)
        program.refresh_from_db()
    elif case == "no_consent":
        consent, expected = "", ConsentRequired
    elif case == "not_a_claimer":
        actor, expected = network.other_claimer, NotAllowed
    elif case == "duplicate":
        network.refer(program=pantry_47th)
        expected = DuplicateOpenReferral
    elif case == "by_referrer":
        actor, expected = network.referrer, NotAllowed
    before = _state()
    with pytest.raises(expected):
        services.referral_forward(actor=actor, referral=original, program=program, consent_method=consent)
    assert _state() == before


def test_forwarded_is_not_a_reason_anyone_chooses(network):
    referral = network.refer()
    access = referral_access(network.claimer, referral)
    assert "forwarded" not in [reason.value for reason in access.reasons("declined")]
    with pytest.raises(InvalidReason, match="use Forward"):
        services.referral_change_status(
            actor=network.claimer, referral=referral, to_status="declined", reason="forwarded"
        )


# --- the pages -----------------------------------------------------------------------------------------------


def test_a_claimer_forwards_from_the_referral_page(client, network, pantry_47th):
    original = network.refer()
    client.force_login(network.claimer)
    page = client.get(reverse("referrals:detail", args=[original.public_id])).content.decode()
    assert "Forward to another program" in page and f'name="forward" value="{original.public_id}"' in page
    search = client.get(reverse("programs:search"), {"forward": original.public_id})
    assert search.status_code == 200
    html = search.content.decode()
    assert "Forwarding the referral of Luis Hernandez from Community Food Pantry" in html
    assert search.context["form"].cleaned_data["zip"] == "60640"
    assert "Forward here" in html and "The referral is with this program now." in html
    url = f"{reverse('programs:forward', args=[pantry_47th.public_id])}?referral={original.public_id}"
    assert client.get(url).status_code == 200
    refused = client.post(url, {"comment": "KEPT-COMMENT", "consent_method": "verbal"})
    assert refused.status_code == 400 and "KEPT-COMMENT" in refused.content.decode()
    original.refresh_from_db()
    assert original.status == "viewed"
    response = client.post(url, {"comment": "We're full.", "consent": "on", "consent_method": "verbal"})
    forwarded = Referral.objects.unscoped("test").get(forwarded_from=original)
    assert response.status_code == 302 and response["Location"] == reverse(
        "referrals:detail", args=[forwarded.public_id]
    )
    closed = client.get(reverse("referrals:detail", args=[original.public_id])).content.decode()
    assert "Forwarded to" in closed and "47th Street Pantry" in closed and "Forward to another program" not in closed
    again = client.post(url, {"comment": "Twice", "consent": "on", "consent_method": "verbal"})
    assert again.status_code == 409 and "cannot be forwarded" in again.content.decode()
    client.force_login(network.referrer)
    new_page = client.get(reverse("referrals:detail", args=[forwarded.public_id])).content.decode()
    assert "Forwarded by Community Food Pantry" in new_page


def test_only_the_program_s_claimers_may_open_the_forwarding_pages(client, network, pantry_47th):
    original = network.refer()
    url = f"{reverse('programs:forward', args=[pantry_47th.public_id])}?referral={original.public_id}"
    client.force_login(network.referrer)
    assert client.get(reverse("programs:search"), {"forward": original.public_id}).status_code == 403
    assert client.post(url, {"consent": "on", "consent_method": "verbal"}).status_code == 403
    for outsider in (network.outsider, network.other_claimer):
        client.force_login(outsider)
        assert client.get(reverse("programs:search"), {"forward": original.public_id}).status_code == 404
        assert client.post(url, {"consent": "on", "consent_method": "verbal"}).status_code == 404
    assert client.get(reverse("programs:search"), {"forward": "not-a-uuid"}).status_code == 404
    original.refresh_from_db()
    assert original.status == "sent"


# --- the API and FHIR ----------------------------------------------------------------------------------------


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_the_api_forwards_and_links_both_ways(network, pantry_47th):
    original = network.refer()
    api = _api(network.claimer)
    url = f"/api/v1/referrals/{original.public_id}/forward/"
    body = {
        "program": str(pantry_47th.public_id),
        "comment": "We're full.",
        "consent": True,
        "consent_method": "verbal",
    }
    response = api.post(url, body, format="json")
    assert response.status_code == 201, response.content
    new = response.json()
    assert new["program"]["name"] == "47th Street Pantry" and new["forwarded_from"] == str(original.public_id)
    assert new["on_behalf_of_program"]["name"] == "Community Food Pantry"
    old = api.get(f"/api/v1/referrals/{original.public_id}/").json()
    assert old["status"] == "declined" and old["status_reason"] == "forwarded" and old["forwarded_to"] == new["id"]
    assert api.post(url, body, format="json").status_code == 409


@pytest.mark.parametrize(
    "change,status_code",
    [
        ({"program": "same"}, 400),
        ({"program": "paused"}, 400),
        ({"consent": False}, 400),
        ({"program": "00000000-0000-0000-0000-000000000000"}, 400),
        ({"program": "not-a-uuid"}, 400),
    ],
)
def test_the_api_refuses_bad_forwarding_clearly(network, pantry_47th, change, status_code):
    original = network.refer()
    paused = factories.ProgramFactory(organization=pantry_47th.organization, accepts_referrals=False)
    body = {"program": str(pantry_47th.public_id), "consent": True, "consent_method": "verbal", **change}
    body["program"] = {"same": str(network.program.public_id), "paused": str(paused.public_id)}.get(
        body["program"], body["program"]
    )
    before = _state()
    response = _api(network.claimer).post(f"/api/v1/referrals/{original.public_id}/forward/", body, format="json")
    assert response.status_code == status_code, response.content
    assert response.json()
    assert _state() == before


def test_another_tenant_gets_404_and_the_referrer_403_from_the_api(network, pantry_47th):
    original = network.refer()
    body = {"program": str(pantry_47th.public_id), "consent": True, "consent_method": "verbal"}
    url = f"/api/v1/referrals/{original.public_id}/forward/"
    assert _api(network.outsider).post(url, body, format="json").status_code == 404
    assert _api(network.referrer).post(url, body, format="json").status_code == 403


def test_fhir_shows_the_replacement_and_the_task_chain(client, network, pantry_47th):
    from fhir.resources.R4B.servicerequest import ServiceRequest
    from fhir.resources.R4B.task import Task

    original = network.refer()
    forwarded = services.referral_forward(
        actor=network.claimer, referral=original, program=pantry_47th, consent_method="verbal"
    )
    client.force_login(network.referrer)
    request = client.get(f"/fhir/ServiceRequest/{forwarded.public_id}").json()
    ServiceRequest.model_validate(request)
    assert request["replaces"] == [{"reference": f"ServiceRequest/{original.public_id}"}]
    task = client.get(f"/fhir/Task/{forwarded.public_id}").json()
    Task.model_validate(task)
    assert task["partOf"] == [{"reference": f"Task/{original.public_id}"}]
    assert task["basedOn"] == [{"reference": f"ServiceRequest/{original.public_id}"}]
    old_task = client.get(f"/fhir/Task/{original.public_id}").json()
    assert old_task["status"] == "rejected" and old_task["statusReason"]["coding"][0]["code"] == "forwarded"
