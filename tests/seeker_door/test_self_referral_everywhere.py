"""A self-referral (nobody referred the person: ``referred_by`` is empty) as every surface shows it: the API, FHIR,
the CSV export, the organization report, webhooks and the person's data export say "self-referral", and none of
them counts it as anybody's sent referral."""

import pytest
from django.test import Client
from fhir.resources.R4B.servicerequest import ServiceRequest
from fhir.resources.R4B.task import Task

from referrals.exports import referral_csv_lines
from referrals.models import Referral
from referrals.services import referral_self_refer
from reports.selectors import Direction, Period, organization_referrals
from seekers.services import seeker_for_self_referral
from tests.factories import api_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def self_referral(network) -> Referral:
    seeker = seeker_for_self_referral(
        organization=network.provider,
        first_name="Elena",
        last_name="Ruiz",
        contact_kind="email",
        contact="elena@example.com",
        language="es",
    )
    return referral_self_refer(
        seeker=seeker, program=network.program, comment="Necesito comida.", consent_wording="I agree."
    )


def test_the_service_refuses_a_seeker_of_another_organization_and_a_program_not_accepting(network):
    from core.errors import NotAllowed
    from referrals.errors import ProgramNotAccepting

    with pytest.raises(NotAllowed):
        referral_self_refer(seeker=network.seeker, program=network.program, consent_wording="x")
    seeker = seeker_for_self_referral(
        organization=network.provider,
        first_name="A",
        last_name="",
        contact_kind="text",
        contact="+13125550100",
        language="en",
    )
    type(network.program).objects.unscoped("test").filter(pk=network.program.pk).update(accepts_referrals=False)
    network.program.refresh_from_db()
    with pytest.raises(ProgramNotAccepting):
        referral_self_refer(seeker=seeker, program=network.program, consent_wording="x")
    assert not Referral.objects.unscoped("test").filter(seeker=seeker).exists()


def test_the_api_says_self_referral(network, self_referral):
    client = Client()
    token = api_token(network.claimer)
    body = client.get(
        f"/api/v1/referrals/{self_referral.public_id}/", headers={"Authorization": f"Token {token}"}
    ).json()
    assert body["referred_by"] is None and body["self_referral"] is True
    outbound = client.get(
        "/api/v1/referrals/?direction=outbound", headers={"Authorization": f"Token {api_token(network.provider_admin)}"}
    ).json()
    assert str(self_referral.public_id) not in str(outbound)


def test_fhir_names_the_patient_as_requester(network, self_referral):
    headers = {"Authorization": f"Token {api_token(network.claimer)}"}
    client = Client()
    service_request = client.get(f"/fhir/ServiceRequest/{self_referral.public_id}", headers=headers).json()
    ServiceRequest.model_validate(service_request)
    assert service_request["requester"] == {"reference": "#patient", "display": "Elena Ruiz (self-referral)"} or (
        service_request["requester"]["display"].endswith("(self-referral)")
        and service_request["requester"]["reference"].startswith("#")
    )
    task = client.get(f"/fhir/Task/{self_referral.public_id}", headers=headers).json()
    Task.model_validate(task)
    assert task["requester"]["display"].endswith("(self-referral)")


def test_the_csv_export_lists_it_as_received_from_a_self_referral(network, self_referral):
    lines = list(referral_csv_lines(user=network.provider_admin, organization=network.provider))
    row = next(line for line in lines if str(self_referral.public_id) in line)
    assert "received" in row and "Self-referral" in row and "sent" not in row.split(",")[1:3]


def test_the_report_never_counts_it_as_sent(network, self_referral):
    period = Period.default()
    outbound = organization_referrals(organization=network.provider, direction=Direction.OUTBOUND, period=period)
    inbound = organization_referrals(organization=network.provider, direction=Direction.INBOUND, period=period)
    assert self_referral not in outbound and self_referral in inbound


def test_the_new_referral_email_and_the_seekers_confirmation_say_self_referral(
    network, django_capture_on_commit_callbacks
):
    from notifications.models import OutboxMessage

    with django_capture_on_commit_callbacks(execute=True):
        seeker = seeker_for_self_referral(
            organization=network.provider,
            first_name="Elena",
            last_name="Ruiz",
            contact_kind="email",
            contact="elena@example.com",
            language="es",
        )
        referral = referral_self_refer(seeker=seeker, program=network.program, consent_wording="I agree.")
    to_claimer = OutboxMessage.objects.get(kind=OutboxMessage.Kind.NEW_REFERRAL, recipient_email=network.claimer.email)
    assert "Self-referral" in to_claimer.body_text and "None" not in to_claimer.body_text
    to_seeker = OutboxMessage.objects.get(kind=OutboxMessage.Kind.REFERRAL_CONFIRMATION, referral=referral)
    assert to_seeker.recipient_email == "elena@example.com"
    assert "Usted pidió a Community Food Pantry que le contacte" in to_seeker.body_text
    assert to_seeker.subject.startswith("Su solicitud a Community Food Pantry se envió")


def test_the_webhook_payload_has_no_referring_organization(network, self_referral):
    from webhooks.services import event_payload

    event = self_referral.events.order_by("id").first()
    payload = event_payload(event=event, endpoint_organization=network.provider)
    assert payload["referral"]["referring_organization"] is None and payload["referral"]["self_referral"] is True
    assert payload["role"] == "receiver"


def test_erasing_the_person_deletes_their_pending_requests_and_sign_in_codes(
    network, self_referral, django_capture_on_commit_callbacks
):
    from core.contacts import Contact
    from privacy.services import seeker_erase
    from seeker_door import services
    from seeker_door.models import SelfReferralRequest, SignInCode

    with django_capture_on_commit_callbacks(execute=True):
        services.self_referral_request(
            program=network.other_program,
            first_name="Elena",
            last_name="Ruiz",
            contact=Contact("email", "Elena@example.com"),
            language="es",
            message="Otra vez.",
        )
        services.sign_in_request(contact=Contact("email", "elena@example.com"), language="es")
        services.self_referral_request(
            program=network.other_program,
            first_name="Someone",
            last_name="Else",
            contact=Contact("email", "someone@example.com"),
            language="en",
            message="",
        )
    assert SelfReferralRequest.objects.count() == 2 and SignInCode.objects.count() == 1
    seeker_erase(actor=network.provider_admin, seeker=self_referral.seeker)
    assert list(SelfReferralRequest.objects.values_list("contact", flat=True)) == ["someone@example.com"]
    assert not SignInCode.objects.exists()
