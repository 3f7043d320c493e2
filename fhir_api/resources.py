"""A referral as FHIR R4 resources, following the HL7 SDOH Clinical Care IG (STU 2):

- ServiceRequest (SDOHCC-ServiceRequest): what was asked for, for whom, by whom;
- Task (SDOHCC-TaskForReferralManagement): the request's fulfilment: ``focus`` the ServiceRequest, ``for``
  the patient, ``owner`` the program's organization, ``requester`` the referring organization, ``status``
  from referrals.statuses.FHIR_TASK_STATUS, ``statusReason`` for our reasons, ``businessStatus`` our own
  status (which tells ``viewed`` from ``sent`` and ``waitlisted`` from ``needs_client_action``).

The patient is contained in each resource and carries the seeker's name only while consent to share holds;
no other personal detail leaves the system through FHIR.
"""

from __future__ import annotations

from django.utils import timezone

from referrals import stalls, statuses
from referrals.channels import ActorType, Channel, event_actor_type, event_channel
from referrals.models import Referral, ReferralEvent
from referrals.statuses import Status

TASK_PROFILE = "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/SDOHCC-TaskForReferralManagement"
SERVICE_REQUEST_PROFILE = "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/SDOHCC-ServiceRequest"
TASK_CODE_SYSTEM = "http://hl7.org/fhir/CodeSystem/task-code"
# Our own code systems: the referral statuses and reasons of referrals/statuses.py.
REFERRAL_STATUS_SYSTEM = "http://referrals.example/fhir/CodeSystem/referral-status"
# Our extension on Task: since when the referral has been stalled (referrals.stalls); businessStatus is unchanged.
STALLED_SINCE_EXTENSION = "http://referrals.example/fhir/StructureDefinition/stalled-since"
REFERRAL_REASON_SYSTEM = "http://referrals.example/fhir/CodeSystem/referral-status-reason"
# Provenance of each line of a referral's history: what happened (our event kinds) and by which channel.
REFERRAL_EVENT_SYSTEM = "http://referrals.example/fhir/CodeSystem/referral-event"
CHANGE_CHANNEL_SYSTEM = "http://referrals.example/fhir/CodeSystem/change-channel"
CHANGE_CHANNEL_EXTENSION = "http://referrals.example/fhir/StructureDefinition/change-channel"
PARTICIPANT_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
REDACTED = {
    "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue",
    "code": "REDACTED",
    "display": "redacted",
}
PATIENT_ID = "patient"

# The FHIR Task.status codes (R4 TaskStatus value set).
TASK_STATUS_CODES = frozenset(
    {
        "draft",
        "requested",
        "received",
        "accepted",
        "rejected",
        "ready",
        "cancelled",
        "in-progress",
        "on-hold",
        "failed",
        "completed",
        "entered-in-error",
    }
)

SERVICE_REQUEST_STATUS = {
    Status.GOT_HELP: "completed",
    Status.DECLINED: "revoked",
    Status.NOT_COMPLETED: "revoked",
    Status.WITHDRAWN: "revoked",
    Status.ENTERED_IN_ERROR: "entered-in-error",
}


def instant(value) -> str:
    return value.isoformat(timespec="seconds") if value else None


def _meta(referral: Referral, profile: str) -> dict:
    return {"versionId": str(referral.version), "lastUpdated": instant(referral.updated_at), "profile": [profile]}


def _organization(organization, *, display: str | None = None) -> dict:
    return {
        "reference": f"Organization/{organization.public_id}",
        "display": display or organization.name,
    }


def patient(referral: Referral) -> dict:
    """The seeker as a contained Patient: their name while consent holds, nothing otherwise."""
    resource = {"resourceType": "Patient", "id": PATIENT_ID}
    if referral.has_consent:
        seeker = referral.seeker
        name = {"text": seeker.full_name, "given": [seeker.first_name]}
        if seeker.last_name:
            name["family"] = seeker.last_name
        resource["name"] = [name]
    else:
        resource["meta"] = {"security": [REDACTED]}
    return resource


def _requester(referral: Referral) -> dict:
    """Who asked: the referring organization, or for a self-referral the patient themselves (a Patient is one
    of ServiceRequest.requester's and Task.requester's allowed targets)."""
    if not referral.is_self_referral:
        return _organization(referral.organization)
    reference = _patient_reference(referral)
    name = reference.get("display")
    return {**reference, "display": f"{name} (self-referral)" if name else "Self-referral"}


def _patient_reference(referral: Referral) -> dict:
    reference = {"reference": f"#{PATIENT_ID}"}
    if referral.has_consent:
        reference["display"] = referral.seeker.full_name
    return reference


def business_status(status: str) -> dict:
    label = str(Status(status).label)
    return {"coding": [{"system": REFERRAL_STATUS_SYSTEM, "code": status, "display": label}], "text": label}


def status_reason(reason: str) -> dict:
    label = str(statuses.Reason(reason).label)
    return {"coding": [{"system": REFERRAL_REASON_SYSTEM, "code": reason, "display": label}], "text": label}


def task(referral: Referral) -> dict:
    resource = {
        "resourceType": "Task",
        "id": str(referral.public_id),
        "meta": _meta(referral, TASK_PROFILE),
        "contained": [patient(referral)],
        "status": statuses.FHIR_TASK_STATUS[Status(referral.status)],
        "businessStatus": business_status(referral.status),
        "intent": "order",
        "priority": referral.urgency,
        "code": {"coding": [{"system": TASK_CODE_SYSTEM, "code": "fulfill", "display": "Fulfill the focal request"}]},
        "focus": {"reference": f"ServiceRequest/{referral.public_id}", "display": referral.program.name},
        "for": _patient_reference(referral),
        "authoredOn": instant(referral.sent_at),
        "lastModified": instant(referral.updated_at),
        "requester": _requester(referral),
        "owner": _organization(
            referral.program.organization, display=f"{referral.program.name} ({referral.program.organization.name})"
        ),
    }
    if referral.forwarded_from_id:
        # Forwarded by the original's program: this Task carries on the original's fulfilment.
        original = referral.forwarded_from.public_id
        resource["basedOn"] = [{"reference": f"ServiceRequest/{original}"}]
        resource["partOf"] = [{"reference": f"Task/{original}"}]
    if referral.status_reason:
        resource["statusReason"] = status_reason(referral.status_reason)
    since = stalls.stalled_since(referral, now=timezone.now())
    if since is not None:
        resource["extension"] = [{"url": STALLED_SINCE_EXTENSION, "valueDateTime": instant(since)}]
    return resource


def service_request(referral: Referral) -> dict:
    program = referral.program
    resource = {
        "resourceType": "ServiceRequest",
        "id": str(referral.public_id),
        "meta": _meta(referral, SERVICE_REQUEST_PROFILE),
        "contained": [patient(referral)],
        "status": SERVICE_REQUEST_STATUS.get(Status(referral.status), "active"),
        "intent": "order",
        "code": {"text": program.name},
        "priority": referral.urgency,
        "subject": _patient_reference(referral),
        "authoredOn": instant(referral.sent_at),
        "requester": _requester(referral),
        "performer": [_organization(program.organization, display=f"{program.name} ({program.organization.name})")],
    }
    if referral.forwarded_from_id:
        resource["replaces"] = [{"reference": f"ServiceRequest/{referral.forwarded_from.public_id}"}]
    categories = [{"text": category.name} for category in program.categories.all()]
    if categories:
        resource["category"] = categories
    if referral.comment:
        resource["note"] = [{"text": referral.comment, "time": instant(referral.sent_at)}]
    if referral.intake_answers:
        resource["supportingInfo"] = [
            {
                "reference": f"QuestionnaireResponse/{referral.public_id}",
                "display": f"Answers to the intake questions of {program.name}",
            }
        ]
    return resource


# ---------------------------------------------------------------------------------------------------------
# A program's intake questions (programs.intake) as a Questionnaire, and a referral's answers, as they were
# asked, as a QuestionnaireResponse (referenced from the ServiceRequest's supportingInfo).

TRANSLATION_EXTENSION = "http://hl7.org/fhir/StructureDefinition/translation"
ITEM_CONTROL_EXTENSION = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
ITEM_CONTROL_SYSTEM = "http://hl7.org/fhir/questionnaire-item-control"
INTAKE_CHOICE_SYSTEM = "http://referrals.example/fhir/CodeSystem/intake-choice"
ITEM_TYPE = {
    "short_text": "string",
    "long_text": "text",
    "yes_no": "boolean",
    "one_choice": "choice",
    "several_choices": "choice",
    "number": "decimal",
    "date": "date",
}


def _spanish(text: str) -> dict:
    """The translation extension of a string element (its ``_text``): the Spanish wording."""
    return {
        "extension": [
            {
                "url": TRANSLATION_EXTENSION,
                "extension": [{"url": "lang", "valueCode": "es"}, {"url": "content", "valueString": text}],
            }
        ]
    }


def _choice_coding(question: dict, choice: str) -> dict:
    coding = {"system": INTAKE_CHOICE_SYSTEM, "code": choice, "display": choice}
    spanish = dict(zip(question.get("choices") or [], question.get("choices_es") or []))
    if spanish.get(choice):
        coding["_display"] = _spanish(spanish[choice])
    return coding


def _question_item(question: dict) -> dict:
    item = {"linkId": question["id"], "text": question["text"], "type": ITEM_TYPE[question["kind"]]}
    if question.get("text_es"):
        item["_text"] = _spanish(question["text_es"])
    item["required"] = bool(question["required"])
    if question["kind"] == "several_choices":
        item["repeats"] = True
    if question["kind"] in ("one_choice", "several_choices"):
        item["answerOption"] = [{"valueCoding": _choice_coding(question, choice)} for choice in question["choices"]]
    if question.get("help"):
        help_item = {
            "linkId": f"{question['id']}-help",
            "text": question["help"],
            "type": "display",
            "extension": [
                {
                    "url": ITEM_CONTROL_EXTENSION,
                    "valueCodeableConcept": {"coding": [{"system": ITEM_CONTROL_SYSTEM, "code": "help"}]},
                }
            ],
        }
        if question.get("help_es"):
            help_item["_text"] = _spanish(question["help_es"])
        item["item"] = [help_item]
    return item


def questionnaire(program, questions: list[dict], *, base_url: str) -> dict:
    """The program's intake questions as they are asked now (its id is the program's)."""
    resource = {
        "resourceType": "Questionnaire",
        "id": str(program.public_id),
        "url": f"{base_url}Questionnaire/{program.public_id}",
        "name": "IntakeQuestions",
        "title": f"{program.name}: intake questions",
        "status": "active",
        "subjectType": ["Patient"],
        "publisher": program.organization.name,
        "description": f"What {program.name} asks when a person is referred to it.",
        "useContext": [
            {
                "code": {"system": "http://terminology.hl7.org/CodeSystem/usage-context-type", "code": "program"},
                "valueReference": {"reference": f"HealthcareService/{program.public_id}", "display": program.name},
            }
        ],
    }
    if questions:
        resource["item"] = [_question_item(question) for question in questions]
    return resource


def _answer_values(answer: dict) -> list[dict]:
    value, kind = answer.get("answer"), answer["kind"]
    if value is None or value == []:
        return []
    if kind in ("one_choice", "several_choices"):
        return [
            {"valueCoding": _choice_coding(answer, choice)}
            for choice in (value if isinstance(value, list) else [value])
        ]
    if kind == "yes_no":
        return [{"valueBoolean": bool(value)}]
    if kind == "number":
        return [{"valueDecimal": value}]
    if kind == "date":
        return [{"valueDate": value}]
    return [{"valueString": str(value)}]


def questionnaire_response(referral: Referral, *, base_url: str) -> dict:
    """The answers given with the referral, each question worded as it was asked (``linkId`` the question's id;
    a question since changed or removed keeps its id and its old wording here)."""
    items = []
    for answer in referral.intake_answers or []:
        item = {"linkId": answer["id"], "text": answer["text"]}
        values = _answer_values(answer)
        if values:
            item["answer"] = values
        items.append(item)
    resource = {
        "resourceType": "QuestionnaireResponse",
        "id": str(referral.public_id),
        "meta": {"versionId": str(referral.version), "lastUpdated": instant(referral.updated_at)},
        "contained": [patient(referral)],
        "questionnaire": f"{base_url}Questionnaire/{referral.program.public_id}",
        "basedOn": [{"reference": f"ServiceRequest/{referral.public_id}"}],
        "status": "completed",
        "subject": _patient_reference(referral),
        "authored": instant(referral.sent_at),
        "author": _organization(referral.organization),
    }
    if items:
        resource["item"] = items
    return resource


def _activity_text(event: ReferralEvent) -> str:
    label = str(ReferralEvent.Kind(event.kind).label)
    if event.from_status and event.to_status:
        label += f": {Status(event.from_status).label} to {Status(event.to_status).label}"
    if event.reason:
        label += f" ({statuses.Reason(event.reason).label})"
    return label


def provenance(event: ReferralEvent, referral: Referral) -> dict:
    """One line of the referral's history as a Provenance of its Task: when, what, who, and by which channel
    (our extension ``change-channel``: email link, text message, the seeker's own page, web, API, FHIR, admin,
    system). The seeker is named "Seeker", never by name: FHIR carries their name only on a consented Patient."""
    actor_type = event_actor_type(event)
    channel = event_channel(event)
    agent = {
        "type": {"coding": [{"system": PARTICIPANT_TYPE_SYSTEM, "code": "author", "display": "Author"}]},
        "who": {
            "display": {ActorType.SEEKER: "Seeker", ActorType.SYSTEM: "System"}.get(actor_type, event.actor_display)
        },
    }
    if actor_type == ActorType.USER and event.actor_organization:
        agent["onBehalfOf"] = {"display": event.actor_organization}
    return {
        "resourceType": "Provenance",
        "id": str(event.public_id),
        "extension": [
            {
                "url": CHANGE_CHANNEL_EXTENSION,
                "valueCoding": {"system": CHANGE_CHANNEL_SYSTEM, "code": channel, "display": Channel.LABELS[channel]},
            }
        ],
        "target": [{"reference": f"Task/{referral.public_id}"}],
        "recorded": instant(event.created_at),
        "activity": {
            "coding": [
                {
                    "system": REFERRAL_EVENT_SYSTEM,
                    "code": event.kind,
                    "display": str(ReferralEvent.Kind(event.kind).label),
                }
            ],
            "text": _activity_text(event),
        },
        "agent": [agent],
    }


def operation_outcome(message: str, *, code: str = "invalid", severity: str = "error") -> dict:
    return {"resourceType": "OperationOutcome", "issue": [{"severity": severity, "code": code, "diagnostics": message}]}


def operation_outcome_of(issues, *, severity: str = "error") -> dict:
    """An OperationOutcome of several (code, message, expression) issues."""
    return {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": severity,
                "code": code,
                "diagnostics": message,
                **({"expression": [expression]} if expression else {}),
            }
            for code, message, expression in issues
        ],
    }


def transaction_response(entries: list[dict], *, referral: Referral, seeker_created: bool, warnings: list[str]) -> dict:
    """The answer to a referral Bundle: one entry per entry sent, in order. The ServiceRequest and the Task
    are the referral (read them at their location; poll the Task); the Patient is the person's profile, made
    or found by identifier; the Consent is recorded on the referral."""
    version = str(referral.version)
    modified = instant(referral.updated_at)
    answers = []
    for entry in entries:
        kind = entry["resource"]["resourceType"]
        if kind in ("ServiceRequest", "Task"):
            response = {
                "status": "201 Created",
                "location": f"{kind}/{referral.public_id}/_history/{version}",
                "etag": f'W/"{version}"',
                "lastModified": modified,
            }
        elif kind == "QuestionnaireResponse":
            response = {"status": "201 Created", "location": f"QuestionnaireResponse/{referral.public_id}"}
        elif kind == "Patient":
            response = {"status": "201 Created" if seeker_created else "200 OK"}
            if warnings:
                response["outcome"] = operation_outcome_of(
                    [("informational", warning, None) for warning in warnings], severity="warning"
                )
        else:
            response = {"status": "201 Created"}
        answers.append({"response": response})
    return {"resourceType": "Bundle", "type": "transaction-response", "entry": answers}


def searchset(resources: list[dict], *, total: int | None, base_url: str, links: dict[str, str]) -> dict:
    """A searchset Bundle; ``total`` None leaves it out (too many matches to count on each request)."""
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "link": [{"relation": relation, "url": url} for relation, url in links.items()],
        "entry": [
            {
                "fullUrl": f"{base_url}{resource['resourceType']}/{resource['id']}",
                "resource": resource,
                "search": {"mode": "match"},
            }
            for resource in resources
        ],
    }
    if total is None:
        del bundle["total"]
    return bundle


def capability_statement(*, base_url: str, software_version: str = "1") -> dict:
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": "2026-01-01",
        "kind": "instance",
        "software": {"name": "Referral network", "version": software_version},
        "implementation": {"description": "Closed-loop referrals", "url": base_url.rstrip("/")},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json"],
        "patchFormat": ["application/json-patch+json", "application/fhir+json"],
        "instantiates": ["http://hl7.org/fhir/us/sdoh-clinicalcare/CapabilityStatement/SDOHCC-ReferralRecipient"],
        "rest": [
            {
                "mode": "server",
                "security": {
                    "description": "An API token (Authorization: Token <token>, from POST /api/v1/auth/token/, expiring) or a signed-in session."
                },
                "interaction": [
                    {
                        "code": "transaction",
                        "documentation": "A referral: POST /fhir/ with a transaction Bundle of one Patient, one "
                        "ServiceRequest (performer: the program as HealthcareService/<id>, our id or its "
                        "HSDS id), one Task (intent order, status requested, focus the ServiceRequest) "
                        "and an active Consent whose provision.actor names the program or its "
                        "organization, and optionally one QuestionnaireResponse answering the program's "
                        "Questionnaire. The referring organization is the caller's. Answers 201 with a "
                        "transaction-response Bundle; refusals are OperationOutcomes (400 not valid "
                        "FHIR R4, 409 an open referral exists, 422 refused by our rules).",
                    }
                ],
                "resource": [
                    {
                        "type": "Task",
                        "supportedProfile": [TASK_PROFILE],
                        "documentation": "Created only inside a referral transaction; then read, searched, updated.",
                        "interaction": [
                            {"code": "read"},
                            {"code": "search-type"},
                            {"code": "update"},
                            {"code": "patch"},
                        ],
                        "versioning": "versioned-update",
                        "conditionalUpdate": False,
                        "searchParam": [
                            {"name": "owner", "type": "reference"},
                            {"name": "status", "type": "token"},
                            {
                                "name": "_lastUpdated",
                                "type": "date",
                                "documentation": "gt, ge, lt, le or eq and an instant: poll for changed Tasks",
                            },
                            {"name": "_count", "type": "number"},
                        ],
                    },
                    {
                        "type": "ServiceRequest",
                        "supportedProfile": [SERVICE_REQUEST_PROFILE],
                        "documentation": "Created only inside a referral transaction; then read.",
                        "interaction": [{"code": "read"}],
                    },
                    {
                        "type": "Questionnaire",
                        "documentation": "A program's intake questions as the Connect form asks them now (its id "
                        "is the program's; English text with the Spanish in the translation extension; the "
                        "choices' codes are their English wording). Every signed-in caller may read them, as "
                        "the directory; search by program (its id, or HealthcareService/<id>) or _id.",
                        "interaction": [{"code": "read"}, {"code": "search-type"}],
                        "searchParam": [
                            {"name": "program", "type": "reference"},
                            {"name": "_id", "type": "token"},
                        ],
                    },
                    {
                        "type": "QuestionnaireResponse",
                        "documentation": "The answers given with a referral (its id is the referral's), each "
                        "question as it was asked then; referenced from the ServiceRequest's supportingInfo. "
                        "Read by whoever may read the referral; 404 otherwise, and for a referral without "
                        "questions or whose answers were erased with the person's data.",
                        "interaction": [{"code": "read"}],
                    },
                    {
                        "type": "Provenance",
                        "documentation": "A referral's history, newest first: one Provenance per line, its "
                        "target the Task, its activity what happened, its agent who (the seeker is "
                        '"Seeker"), and the extension change-channel how the change arrived (email_link, '
                        "text, signed_in: the seeker's own page, web, api, fhir, admin, system). Search by "
                        "target (Task/<id> or ServiceRequest/<id>; required).",
                        "interaction": [{"code": "search-type"}],
                        "searchParam": [{"name": "target", "type": "reference"}, {"name": "_count", "type": "number"}],
                    },
                    {
                        "type": "Patient",
                        "documentation": "Taken only inside a referral transaction: name, birthDate, telecom, "
                        "address.postalCode, communication and identifier make or find the "
                        "person's profile in the caller's organization (by identifier). Not read "
                        "back: a Task's Patient is contained.",
                    },
                    {
                        "type": "Consent",
                        "documentation": "Taken only inside a referral transaction: the person's consent to share "
                        "their details with the program, recorded on the referral.",
                    },
                ],
            }
        ],
    }
