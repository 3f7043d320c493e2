"""POST /fhir/: an EHR sends a referral as an SDOH Clinical Care transaction Bundle.

Every answer is validated with fhir.resources (R4B models, as tests/fhir_api/test_fhir.py). A refused Bundle
answers an OperationOutcome that says what is wrong, and changes nothing.
"""

import json

import pytest
from django.core import mail
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.task import Task

from fhir_api.inbound import CONSENT_METHOD_SYSTEM, HSDS_SERVICE_SYSTEM
from notifications.models import OutboxMessage
from privacy.services import seeker_erase, seeker_export
from programs.models import Program
from referrals.models import Referral, ReferralEvent
from seekers.models import Seeker, SeekerIdentifier
from tests import factories
from tests.factories import api_token

FHIR_JSON = "application/fhir+json"
MRN = "http://hospital.example/mrn"


def referral_bundle(program, *, mrn="MRN-1001", note="Family of four, no food since Friday."):
    """A transaction Bundle as the SDOH Clinical Care guide's referral: Patient, ServiceRequest, Task, Consent."""
    patient, request, task, consent = (
        "urn:uuid:8a5e0a26-0d0b-4b5e-9b53-0d2c1b1f0001",
        "urn:uuid:8a5e0a26-0d0b-4b5e-9b53-0d2c1b1f0002",
        "urn:uuid:8a5e0a26-0d0b-4b5e-9b53-0d2c1b1f0003",
        "urn:uuid:8a5e0a26-0d0b-4b5e-9b53-0d2c1b1f0004",
    )
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": patient,
                "request": {"method": "POST", "url": "Patient"},
                "resource": {
                    "resourceType": "Patient",
                    "identifier": [{"system": MRN, "value": mrn}],
                    "name": [{"family": "Rivera", "given": ["Carmen", "Lucia"]}],
                    "birthDate": "1984-03-09",
                    "telecom": [
                        {"system": "phone", "value": "(312) 555-0142"},
                        {"system": "email", "value": "carmen.rivera@example.com"},
                    ],
                    "address": [{"postalCode": "60640"}],
                    "communication": [
                        {"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": "es"}]}, "preferred": True}
                    ],
                },
            },
            {
                "fullUrl": request,
                "request": {"method": "POST", "url": "ServiceRequest"},
                "resource": {
                    "resourceType": "ServiceRequest",
                    "status": "active",
                    "intent": "order",
                    "priority": "urgent",
                    "category": [
                        {
                            "coding": [
                                {
                                    "system": "http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-"
                                    "CodeSystemTemporaryCodes",
                                    "code": "food-insecurity",
                                    "display": "Food Insecurity",
                                }
                            ]
                        }
                    ],
                    "code": {
                        "coding": [
                            {
                                "system": "http://snomed.info/sct",
                                "code": "467771000124109",
                                "display": "Assistance with application for food pantry program",
                            }
                        ]
                    },
                    "subject": {"reference": patient},
                    "performer": [{"reference": f"HealthcareService/{program.public_id}"}],
                    "note": [{"text": note}],
                },
            },
            {
                "fullUrl": task,
                "request": {"method": "POST", "url": "Task"},
                "resource": {
                    "resourceType": "Task",
                    "status": "requested",
                    "intent": "order",
                    "focus": {"reference": request},
                    "for": {"reference": patient},
                    "owner": {"reference": f"Organization/{program.organization.public_id}"},
                },
            },
            {
                "fullUrl": consent,
                "request": {"method": "POST", "url": "Consent"},
                "resource": {
                    "resourceType": "Consent",
                    "status": "active",
                    "scope": {
                        "coding": [
                            {"system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "patient-privacy"}
                        ]
                    },
                    "category": [
                        {"coding": [{"system": "http://loinc.org", "code": "59284-0"}]},
                        {"coding": [{"system": CONSENT_METHOD_SYSTEM, "code": "verbal"}]},
                    ],
                    "patient": {"reference": patient},
                    "dateTime": "2026-12-01T10:00:00Z",
                    "provision": {
                        "type": "permit",
                        "actor": [
                            {
                                "role": {
                                    "coding": [
                                        {
                                            "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                                            "code": "IRCP",
                                        }
                                    ]
                                },
                                "reference": {"reference": f"HealthcareService/{program.public_id}"},
                            }
                        ],
                    },
                },
            },
        ],
    }


def entry(bundle, kind):
    return next(e for e in bundle["entry"] if e["resource"]["resourceType"] == kind)


@pytest.fixture
def ehr(network):
    """The EHR's client: the referrer's API token (the referring organization is theirs)."""
    return token_client(network.referrer)


def token_client(user):
    from django.test import Client

    token = api_token(user)
    return Client(HTTP_AUTHORIZATION=f"Token {token}")


def post(client, body, content_type=FHIR_JSON):
    return client.post(
        "/fhir/", body if isinstance(body, (str, bytes)) else json.dumps(body), content_type=content_type
    )


def fingerprint():
    return (
        Seeker.objects_across_tenants.count(),
        Referral.objects_across_tenants.count(),
        SeekerIdentifier.objects_across_tenants.count(),
        OutboxMessage.objects.count(),
        ReferralEvent.objects_across_tenants.count(),
    )


def refused(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(FHIR_JSON)
    body = response.json()
    OperationOutcome.model_validate(body)
    assert body["issue"][0]["severity"] == "error"
    return body["issue"]


def test_a_referral_bundle_makes_the_person_and_the_referral_as_a_web_referral_does(
    network, ehr, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(ehr, referral_bundle(network.program))
    assert response.status_code == 201, response.content
    assert response["Content-Type"].startswith(FHIR_JSON)
    answer = response.json()
    Bundle.model_validate(answer)
    referral = Referral.objects_across_tenants.select_related("seeker").get()
    assert answer["type"] == "transaction-response"
    assert [e["response"]["status"] for e in answer["entry"]] == ["201 Created"] * 4
    assert answer["entry"][1]["response"]["location"] == f"ServiceRequest/{referral.public_id}/_history/1"
    assert answer["entry"][2]["response"]["location"] == f"Task/{referral.public_id}/_history/1"

    seeker = referral.seeker
    assert (seeker.organization, seeker.created_by) == (network.site, network.referrer)
    assert (seeker.first_name, seeker.last_name, str(seeker.date_of_birth)) == ("Carmen", "Rivera", "1984-03-09")
    assert (seeker.email, seeker.phone, seeker.zip_code) == ("carmen.rivera@example.com", "+13125550142", "60640")
    assert (seeker.preferred_language, seeker.contact_preference) == ("es", "email")
    assert list(seeker.identifiers.values_list("system", "value")) == [(MRN, "MRN-1001")]

    assert (referral.program, referral.organization, referral.referred_by) == (
        network.program,
        network.site,
        network.referrer,
    )
    assert (referral.status, referral.urgency, referral.consent_method) == ("sent", "urgent", "verbal")
    assert referral.comment == (
        "Requested: Assistance with application for food pantry program; Food Insecurity\n"
        "Family of four, no food since Friday."
    )
    created = referral.events.get(kind=ReferralEvent.Kind.CREATED)
    assert created.via == ReferralEvent.Via.FHIR
    # Notified as a web referral is: the program's claimer and the person (in Spanish).
    assert {m.recipient_email for m in OutboxMessage.objects.filter(kind="new_referral")} == {network.claimer.email}
    confirmation = OutboxMessage.objects.get(kind="referral_confirmation")
    assert (confirmation.recipient_email, confirmation.language) == ("carmen.rivera@example.com", "es")
    assert len(mail.outbox) == 2

    # The sender polls the Task; the program's claimer sees it as any inbound referral.
    task = ehr.get(f"/fhir/Task/{referral.public_id}").json()
    Task.model_validate(task)
    assert (task["status"], task["requester"]["reference"]) == ("requested", f"Organization/{network.site.public_id}")
    claimer = token_client(network.claimer)
    assert claimer.get(f"/fhir/Task/{referral.public_id}").status_code == 200


def test_the_program_may_be_named_by_its_hsds_id(network, ehr):
    Program.objects_across_tenants.filter(pk=network.program.pk).update(hsds_id="b2000000-0000-4000-8000-000000000001")
    bundle = referral_bundle(network.program)
    entry(bundle, "ServiceRequest")["resource"]["performer"] = [
        {"identifier": {"system": HSDS_SERVICE_SYSTEM, "value": "b2000000-0000-4000-8000-000000000001"}}
    ]
    entry(bundle, "Consent")["resource"]["provision"]["actor"][0]["reference"] = {
        "reference": f"Organization/{network.provider.public_id}"
    }
    assert post(ehr, bundle).status_code == 201
    assert Referral.objects_across_tenants.get().program == network.program


def test_the_same_identifier_finds_the_person_again_in_the_same_organization_only(network, ehr):
    assert post(ehr, referral_bundle(network.program)).status_code == 201
    again = referral_bundle(network.other_program)
    entry(again, "Patient")["resource"]["name"] = [{"family": "Rivera-Lopez", "given": ["Carmen"]}]
    entry(again, "Patient")["resource"]["identifier"].append({"system": "http://state.example/medicaid", "value": "M9"})
    response = post(ehr, again)
    assert response.status_code == 201, response.content
    patient = response.json()["entry"][0]["response"]
    assert patient["status"] == "200 OK"
    assert "found by identifier" in patient["outcome"]["issue"][0]["diagnostics"]
    seeker = Seeker.objects_across_tenants.get(first_name="Carmen")
    assert seeker.last_name == "Rivera"  # the profile is the organization's: kept as it is
    assert sorted(seeker.identifiers.values_list("value", flat=True)) == ["M9", "MRN-1001"]
    assert seeker.referrals.count() == 2

    # Another organization's EHR with the same record number: a person of their own, never ours.
    outsider = token_client(network.outsider)
    assert post(outsider, referral_bundle(network.program)).status_code == 201
    theirs = Seeker.objects_across_tenants.get(organization=network.other_site, first_name="Carmen")
    assert theirs != seeker
    assert Seeker.objects_across_tenants.filter(first_name="Carmen").count() == 2


def test_a_second_open_referral_is_a_409_naming_the_first(network, ehr):
    assert post(ehr, referral_bundle(network.program)).status_code == 201
    before = fingerprint()
    issues = refused(post(ehr, referral_bundle(network.program)), 409)
    first = Referral.objects_across_tenants.get()
    assert issues[0]["code"] == "duplicate"
    assert f"Task/{first.public_id}" in issues[0]["diagnostics"]
    assert fingerprint() == before


@pytest.mark.parametrize(
    "change, status, code, words",
    [
        (lambda b, n: b["entry"].pop(3), 422, "required", "no Consent"),
        (lambda b, n: b["entry"][3]["resource"].update(status="inactive"), 422, "business-rule", "must be active"),
        (
            lambda b, n: b["entry"][3]["resource"]["provision"]["actor"][0].update(
                reference={"reference": f"HealthcareService/{n.other_program.public_id}"}
            ),
            422,
            "business-rule",
            "must name Community Food Pantry",
        ),
        (
            lambda b, n: b["entry"][1]["resource"].update(
                performer=[{"reference": "HealthcareService/00000000-0000-4000-8000-000000000000"}]
            ),
            422,
            "not-found",
            "No program in the directory",
        ),
        (
            lambda b, n: b["entry"][1]["resource"].update(
                performer=[{"reference": f"Organization/{n.provider.public_id}"}]
            ),
            422,
            "invalid",
            "HealthcareService",
        ),
        (
            lambda b, n: b["entry"][2]["resource"].update(focus={"reference": "urn:uuid:nothing"}),
            422,
            "invalid",
            "Task.focus",
        ),
        (lambda b, n: b["entry"][2]["resource"].update(status="accepted"), 422, "invalid", "Task.status"),
        (
            lambda b, n: b["entry"][2]["resource"].update(owner={"reference": f"Organization/{n.site.public_id}"}),
            422,
            "invalid",
            "Task.owner",
        ),
        (
            lambda b, n: b["entry"].append(
                {
                    "request": {"method": "POST", "url": "Observation"},
                    "resource": {"resourceType": "Observation", "status": "final", "code": {"text": "x"}},
                }
            ),
            422,
            "not-supported",
            "Observation is not taken",
        ),
        (lambda b, n: b["entry"][0]["request"].update(method="PUT"), 422, "not-supported", "must be POST"),
        (lambda b, n: b["entry"][0]["resource"].update(name=[{"family": "Rivera"}]), 422, "required", "given name"),
        (
            lambda b, n: b["entry"][1]["resource"].update(
                requester={"reference": f"Organization/{n.other_site.public_id}"}
            ),
            422,
            "invalid",
            "not a site you work for",
        ),
        (lambda b, n: b.update(type="batch"), 400, "not-supported", "transaction"),
        (
            lambda b, n: b["entry"][0]["resource"].update(birthDate="09/03/1984"),
            400,
            "structure",
            "Bundle.entry[0].resource.birthDate",
        ),
        (lambda b, n: b["entry"][1]["resource"].update(colour="blue"), 400, "structure", "colour"),
        (lambda b, n: b.update(entry=[]), 400, "required", "no entries"),
    ],
)
def test_a_bundle_we_cannot_take_says_why_and_changes_nothing(network, ehr, change, status, code, words):
    bundle = referral_bundle(network.program)
    change(bundle, network)
    before = fingerprint()
    issues = refused(post(ehr, bundle), status)
    assert issues[0]["code"] == code
    assert words in issues[0]["diagnostics"], issues
    assert fingerprint() == before


def test_a_program_that_does_not_accept_referrals_is_a_422(network, ehr):
    Program.objects_across_tenants.filter(pk=network.program.pk).update(accepts_referrals=False)
    before = fingerprint()
    issues = refused(post(ehr, referral_bundle(network.program)), 422)
    assert (issues[0]["code"], issues[0]["diagnostics"]) == (
        "business-rule",
        "Community Food Pantry is not accepting referrals right now.",
    )
    assert fingerprint() == before  # not even the person


def test_not_json_or_not_a_bundle_is_a_400(network, ehr):
    before = fingerprint()
    assert refused(post(ehr, "{not json"), 400)[0]["code"] == "structure"
    patient = entry(referral_bundle(network.program), "Patient")["resource"]
    issues = refused(post(ehr, patient), 400)
    assert "the body is a Patient" in issues[0]["diagnostics"]
    assert refused(post(ehr, "[1, 2]"), 400)[0]["code"] == "structure"
    response = post(ehr, "<Bundle/>", content_type="application/fhir+xml")
    assert response.status_code == 415
    assert fingerprint() == before


def test_a_bad_contact_detail_is_left_out_and_said(network, ehr):
    bundle = referral_bundle(network.program)
    entry(bundle, "Patient")["resource"]["address"] = [{"postalCode": "SW1A 1AA"}]
    entry(bundle, "Patient")["resource"]["communication"] = [{"language": {"coding": [{"code": "vi"}]}}]
    response = post(ehr, bundle)
    assert response.status_code == 201, response.content
    warnings = [issue["diagnostics"] for issue in response.json()["entry"][0]["response"]["outcome"]["issue"]]
    assert any("postal code 'SW1A 1AA' was left out" in warning for warning in warnings)
    assert any("language (vi)" in warning for warning in warnings)
    seeker = Seeker.objects_across_tenants.get(first_name="Carmen")
    assert (seeker.zip_code, seeker.preferred_language) == ("", "en")


def test_an_invalid_email_is_a_400_and_changes_nothing(network, ehr):
    bundle = referral_bundle(network.program)
    entry(bundle, "Patient")["resource"]["telecom"] = [{"system": "email", "value": "not-an-address"}]
    before = fingerprint()
    issues = refused(post(ehr, bundle), 400)
    assert "email" in issues[0]["diagnostics"]
    assert fingerprint() == before


def test_who_may_send(network, client):
    before = fingerprint()
    issues = refused(post(client, referral_bundle(network.program)), 401)
    assert issues[0]["code"] == "login"
    # A claimer who works at no site refers nobody's people.
    issues = refused(post(token_client(network.claimer), referral_bundle(network.program)), 403)
    assert "Only workers at a site" in issues[0]["diagnostics"]
    assert fingerprint() == before


def test_the_capability_statement_names_the_transaction_and_polling(client, db):
    body = client.get("/fhir/metadata").json()
    CapabilityStatement.model_validate(body)
    rest = body["rest"][0]
    assert [interaction["code"] for interaction in rest["interaction"]] == ["transaction"]
    resources = {resource["type"]: resource for resource in rest["resource"]}
    assert set(resources) == {
        "Task",
        "ServiceRequest",
        "Provenance",
        "Patient",
        "Consent",
        "Questionnaire",
        "QuestionnaireResponse",
    }
    assert {param["name"] for param in resources["Task"]["searchParam"]} == {
        "owner",
        "status",
        "_lastUpdated",
        "_count",
    }
    assert "interaction" not in resources["Patient"]  # taken inside a referral only, never read back


def test_the_sender_polls_changed_tasks_with_last_updated(network, ehr):
    from datetime import timedelta

    from django.utils import timezone

    old = network.refer()
    Referral.objects_across_tenants.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=2))
    fresh = network.refer(
        seeker=factories.SeekerFactory(organization=network.site, created_by=network.referrer),
        program=network.other_program,
    )
    since = (timezone.now() - timedelta(hours=1)).isoformat()
    found = ehr.get("/fhir/Task", {"_lastUpdated": f"gt{since}"}).json()
    Bundle.model_validate(found)
    assert [e["resource"]["id"] for e in found["entry"]] == [str(fresh.public_id)]
    older = ehr.get("/fhir/Task", {"_lastUpdated": f"le{since}"}).json()
    assert [e["resource"]["id"] for e in older["entry"]] == [str(old.public_id)]
    assert refused(ehr.get("/fhir/Task", {"_lastUpdated": "gtyesterday"}), 400)[0]["code"] == "invalid"


def test_identifiers_are_in_the_persons_export_and_gone_after_erasure(network, ehr):
    assert post(ehr, referral_bundle(network.program)).status_code == 201
    seeker = Seeker.objects_across_tenants.get(first_name="Carmen")
    exported = seeker_export(actor=network.site_admin, seeker=seeker)
    assert [(i["system"], i["value"]) for i in exported["profile"]["identifiers"]] == [(MRN, "MRN-1001")]
    seeker_erase(actor=network.site_admin, seeker=seeker)
    assert not SeekerIdentifier.objects_across_tenants.exists()
    # The erased person is not found again: a new referral with the number makes a new profile.
    Referral.objects_across_tenants.update(
        status="withdrawn", status_reason="no_longer_interested", closed_at=timezone.now()
    )
    response = post(ehr, referral_bundle(network.program))
    assert response.status_code == 201, response.content
    assert response.json()["entry"][0]["response"]["status"] == "201 Created"
