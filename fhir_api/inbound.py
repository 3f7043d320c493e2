"""Referrals in over FHIR: a transaction Bundle as the SDOH Clinical Care guide sends one.

``POST /fhir/`` takes a ``Bundle`` of type ``transaction`` holding, each with ``request.method`` POST:

- one ``Patient``: the person (name, birth date, telecom, language, postal code, identifiers);
- one ``ServiceRequest``: the need (``code``/``category``, ``note``, ``priority``), ``subject`` the Patient,
  ``performer`` one of our programs: ``HealthcareService/<id>`` with its id (ours, or its HSDS service id
  from /hsds/), or an ``identifier`` in one of PROGRAM_SYSTEMS; ``requester`` optionally the caller's own
  organization (``Organization/<id>``), for someone who works at several sites;
- one ``Task``: ``intent`` order, ``status`` requested, ``focus`` the ServiceRequest, ``for`` the Patient,
  ``owner`` (optional) the program's organization;
- a ``Consent``: ``status`` active, ``patient`` the Patient, a ``provision`` (of type permit) whose ``actor``
  names the program or its organization: the person agreed to share their details with the program;
- optionally one ``QuestionnaireResponse``: the answers to the program's intake questions (its Questionnaire is
  ``Questionnaire/<program id>``), each ``item`` by the question's ``linkId`` with its ``answer`` values
  (``valueString``, ``valueBoolean``, ``valueCoding.code`` for a choice, ``valueDecimal`` or ``valueInteger``,
  ``valueDate``); ``referrals.services.referral_create`` checks them as the Connect form's.

``read_referral_bundle`` checks all of this and returns an ``InboundReferral``, or raises ``BundleError``
saying what is wrong and where (a FHIRPath-like ``expression``). It writes nothing: the view then makes the
referral through the same services a web referral uses (seekers.services, referrals.services).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError

from core.errors import InvalidInput
from programs.hsds.selectors import service_get
from programs.models import Program
from seekers.validation import NORMALIZERS

# The systems a program's identifier may be given in (ServiceRequest.performer.identifier.system).
PROGRAM_SYSTEM = "http://referrals.example/fhir/sid/program"  # our id (the program's public UUID)
HSDS_SERVICE_SYSTEM = "http://referrals.example/fhir/sid/hsds-service"  # the HSDS service id /hsds/ shows
PROGRAM_SYSTEMS = (PROGRAM_SYSTEM, HSDS_SERVICE_SYSTEM)
# How consent was given, when the Consent says so in a category coding of this system.
CONSENT_METHOD_SYSTEM = "http://referrals.example/fhir/CodeSystem/consent-method"
CONSENT_METHODS = ("verbal", "written", "electronic")
MAX_ENTRIES = 20
MAX_ISSUES = 20
URGENT_PRIORITIES = {"urgent", "asap", "stat"}
SUPPORTED = ("Patient", "ServiceRequest", "Task", "Consent", "QuestionnaireResponse")
ANSWER_VALUES = ("valueString", "valueBoolean", "valueDecimal", "valueInteger", "valueDate")


class BundleError(InvalidInput):
    """The Bundle cannot be taken; nothing was written. ``status``: 400 when it is not a valid FHIR transaction,
    422 when it is valid FHIR our rules refuse. ``issues``: (FHIR issue code, message, expression) triples, the
    first the main one."""

    code = "invalid_bundle"

    def __init__(
        self,
        message: str,
        *,
        status: int = 422,
        issue: str = "invalid",
        expression: str | None = None,
        issues: list[tuple[str, str, str | None]] | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.issues = issues or [(issue, message, expression)]


@dataclass
class PatientDetails:
    fields: dict  # seekers.services.seeker_create fields
    identifiers: list[tuple[str, str]]
    warnings: list[str] = field(default_factory=list)


@dataclass
class InboundReferral:
    patient: PatientDetails
    program: Program
    comment: str
    urgency: str
    consent_method: str
    requester_id: str | None  # Organization/<id> the caller names as theirs, if any
    entries: list[dict]  # the Bundle's entries, in order (the answer has one per entry)
    warnings: list[str] = field(default_factory=list)
    answers: dict | None = None  # the intake answers by question id (None: the Bundle has no QuestionnaireResponse)


def read_referral_bundle(body) -> InboundReferral:
    if not isinstance(body, dict):
        raise BundleError("The body must be a FHIR Bundle (a JSON object).", status=400, issue="structure")
    resource_type = body.get("resourceType")
    if resource_type != "Bundle":
        found = f"a {resource_type}" if isinstance(resource_type, str) else "no resourceType"
        raise BundleError(
            f"POST /fhir/ takes a transaction Bundle; the body is {found}.",
            status=400,
            issue="structure",
            expression="resourceType",
        )
    if body.get("type") != "transaction":
        raise BundleError(
            f"Only a Bundle of type transaction is taken here, not {body.get('type')!r}.",
            status=400,
            issue="not-supported",
            expression="Bundle.type",
        )
    entries = body.get("entry")
    if not isinstance(entries, list) or not entries:
        raise BundleError("The Bundle has no entries.", status=400, issue="required", expression="Bundle.entry")
    if len(entries) > MAX_ENTRIES:
        raise BundleError(
            f"A referral Bundle has at most {MAX_ENTRIES} entries.",
            status=400,
            issue="too-costly",
            expression="Bundle.entry",
        )
    _validate_r4(body)
    resources = _by_type(entries)
    patient_entry, request_entry = resources["Patient"][0], resources["ServiceRequest"][0]
    task_entry = resources["Task"][0]
    names = _names(entries)

    service_request = request_entry["resource"]
    _refers_to(service_request.get("subject"), patient_entry, names, "ServiceRequest.subject")
    if service_request.get("intent") != "order":
        raise BundleError("ServiceRequest.intent must be order.", expression="ServiceRequest.intent")
    if service_request.get("status") != "active":
        raise BundleError("ServiceRequest.status must be active.", expression="ServiceRequest.status")
    program = _program(service_request)
    _check_task(task_entry["resource"], request_entry, patient_entry, program, names)
    consent_method = _consent(resources["Consent"], patient_entry, program, names)
    patient = _patient(patient_entry["resource"])
    answers = _answers(resources["QuestionnaireResponse"], patient_entry, names)
    requester = service_request.get("requester") or {}
    requester_id = None
    if isinstance(requester.get("reference"), str) and requester["reference"].startswith("Organization/"):
        requester_id = requester["reference"].removeprefix("Organization/")
    return InboundReferral(
        patient=patient,
        program=program,
        comment=_comment(service_request),
        urgency="urgent"
        if service_request.get("priority") in URGENT_PRIORITIES
        or task_entry["resource"].get("priority") in URGENT_PRIORITIES
        else "routine",
        consent_method=consent_method,
        requester_id=requester_id,
        entries=entries,
        warnings=patient.warnings,
        answers=answers,
    )


def _validate_r4(body: dict) -> None:
    """Base FHIR R4 structure (fhir.resources' R4B models, the R4-compatible ones of the pinned release)."""
    try:
        Bundle.model_validate(body)
    except ValidationError as error:
        issues = []
        for problem in error.errors()[:MAX_ISSUES]:
            expression = "Bundle" + "".join(
                f"[{part}]" if isinstance(part, int) else f".{part}" for part in problem["loc"]
            )
            message = re.sub(r"^Value error, ", "", problem["msg"])
            issues.append(("structure", f"{expression}: {message}", expression))
        raise BundleError(f"The Bundle is not valid FHIR R4: {issues[0][1]}", status=400, issues=issues) from None


def _by_type(entries: list) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {name: [] for name in SUPPORTED}
    for index, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        where = f"Bundle.entry[{index}]"
        if not isinstance(resource, dict):
            raise BundleError(f"{where} has no resource.", status=400, issue="required", expression=where)
        kind = resource.get("resourceType")
        if kind not in found:
            raise BundleError(
                f"{where}: a {kind} is not taken here; a referral Bundle holds a Patient, a "
                "ServiceRequest, a Task, a Consent and optionally a QuestionnaireResponse.",
                issue="not-supported",
                expression=f"{where}.resource",
            )
        method = (entry.get("request") or {}).get("method")
        if method != "POST":
            raise BundleError(
                f"{where}.request.method must be POST (each resource is created).",
                issue="not-supported",
                expression=f"{where}.request.method",
            )
        found[kind].append(entry)
    for kind in ("Patient", "ServiceRequest", "Task"):
        if len(found[kind]) != 1:
            raise BundleError(
                f"A referral Bundle holds exactly one {kind}; this one has {len(found[kind])}.",
                issue="required" if not found[kind] else "invalid",
                expression="Bundle.entry",
            )
    if not found["Consent"]:
        raise BundleError(
            "The Bundle has no Consent: the person's consent to share their details with the "
            "program is required for a referral.",
            issue="required",
            expression="Consent",
        )
    return found


def _answers(entries: list[dict], patient_entry: dict, names: dict) -> dict | None:
    """The intake answers of the Bundle's QuestionnaireResponse by question id (linkId): one value, or a list
    of them for several answers; None without one. Only their shape is checked here; the values are checked
    against the program's questions by referral_create."""
    if not entries:
        return None
    if len(entries) > 1:
        raise BundleError(
            "A referral Bundle holds at most one QuestionnaireResponse.", expression="QuestionnaireResponse"
        )
    response = entries[0]["resource"]
    _refers_to(response.get("subject"), patient_entry, names, "QuestionnaireResponse.subject", required=False)
    answers: dict = {}
    for index, item in enumerate(response.get("item") or []):
        where = f"QuestionnaireResponse.item[{index}]"
        link_id = item.get("linkId")
        if link_id in answers:
            raise BundleError(f"{where}: the question {link_id} is answered twice.", expression=f"{where}.linkId")
        values = []
        for answer in item.get("answer") or []:
            coding = answer.get("valueCoding")
            if isinstance(coding, dict):
                values.append(coding.get("code") or coding.get("display"))
                continue
            given = [answer[name] for name in ANSWER_VALUES if name in answer]
            if not given:
                raise BundleError(
                    f"{where}.answer: give the answer as valueString, valueBoolean, valueCoding (a choice's code), "
                    "valueDecimal, valueInteger or valueDate.",
                    expression=f"{where}.answer",
                )
            values.append(given[0])
        if values:
            answers[link_id] = values if len(values) > 1 else values[0]
    return answers


def _names(entries: list[dict]) -> dict[str, dict]:
    """Each entry by every name a reference may give it: its fullUrl, and Type/id when it has an id."""
    names = {}
    for entry in entries:
        resource = entry["resource"]
        if entry.get("fullUrl"):
            names[entry["fullUrl"]] = entry
        if resource.get("id"):
            names[f"{resource['resourceType']}/{resource['id']}"] = entry
    return names


def _refers_to(reference, entry: dict, names: dict, expression: str, *, required: bool = True) -> None:
    target = reference.get("reference") if isinstance(reference, dict) else None
    if not target:
        if required:
            raise BundleError(
                f"{expression} must refer to the Bundle's {entry['resource']['resourceType']}.",
                issue="required",
                expression=expression,
            )
        return
    if names.get(target) is not entry:
        raise BundleError(
            f"{expression} refers to {target}, which is not the Bundle's {entry['resource']['resourceType']}.",
            expression=expression,
        )


def _program(service_request: dict) -> Program:
    performers = service_request.get("performer") or []
    if len(performers) != 1:
        raise BundleError(
            "ServiceRequest.performer must name one program (a HealthcareService).",
            issue="required",
            expression="ServiceRequest.performer",
        )
    performer = performers[0]
    reference, identifier = performer.get("reference"), performer.get("identifier") or {}
    program_id = None
    if isinstance(reference, str) and reference.startswith("HealthcareService/"):
        program_id = reference.removeprefix("HealthcareService/")
    elif identifier.get("system") in PROGRAM_SYSTEMS and identifier.get("value"):
        program_id = identifier["value"]
    else:
        raise BundleError(
            "ServiceRequest.performer must name the program as HealthcareService/<id> (our id or "
            f"its HSDS id), or by an identifier of system {PROGRAM_SYSTEM} or "
            f"{HSDS_SERVICE_SYSTEM}.",
            expression="ServiceRequest.performer[0]",
        )
    program = service_get(program_id)
    if program is None:
        raise BundleError(
            f"No program in the directory has the id {program_id}.",
            issue="not-found",
            expression="ServiceRequest.performer[0]",
        )
    return program


def _organization_ids(program: Program) -> set[str]:
    from programs.hsds.export import organization_id

    organization = program.organization
    return {str(organization.public_id), organization_id(organization)}


def _check_task(task: dict, request_entry: dict, patient_entry: dict, program: Program, names: dict) -> None:
    if task.get("intent") != "order":
        raise BundleError("Task.intent must be order.", expression="Task.intent")
    if task.get("status") != "requested":
        raise BundleError("Task.status must be requested: a referral starts as requested.", expression="Task.status")
    _refers_to(task.get("focus"), request_entry, names, "Task.focus")
    _refers_to(task.get("for"), patient_entry, names, "Task.for", required=False)
    owner = (task.get("owner") or {}).get("reference")
    if (
        owner
        and owner.removeprefix("Organization/") not in _organization_ids(program)
        and owner.removeprefix("HealthcareService/") not in {str(program.public_id), program.hsds_id}
    ):
        raise BundleError(
            f"Task.owner {owner} is not the organization of {program.name} "
            f"(Organization/{program.organization.public_id}).",
            expression="Task.owner",
        )


def _consent(consents: list[dict], patient_entry: dict, program: Program, names: dict) -> str:
    """The consent method of the active Consent that lets the program have the person's details."""
    performer_names = {f"Organization/{value}" for value in _organization_ids(program)}
    performer_names |= {f"HealthcareService/{program.public_id}"} | (
        {f"HealthcareService/{program.hsds_id}"} if program.hsds_id else set()
    )
    problems = []
    for consent_entry in consents:
        consent = consent_entry["resource"]
        try:
            _refers_to(consent.get("patient"), patient_entry, names, "Consent.patient")
        except BundleError as error:
            problems.append(error.message)
            continue
        if consent.get("status") != "active":
            problems.append("Consent.status must be active.")
            continue
        provision = consent.get("provision") or {}
        if provision.get("type", "permit") != "permit":
            problems.append("Consent.provision.type must be permit.")
            continue
        actors = {(actor.get("reference") or {}).get("reference") for actor in provision.get("actor") or []}
        if not actors & performer_names:
            problems.append(
                f"Consent.provision.actor must name {program.name} (HealthcareService/"
                f"{program.public_id}) or its organization (Organization/{program.organization.public_id})."
            )
            continue
        methods = [
            coding.get("code")
            for category in consent.get("category") or []
            for coding in category.get("coding") or []
            if coding.get("system") == CONSENT_METHOD_SYSTEM
        ]
        if methods and methods[0] in CONSENT_METHODS:
            return methods[0]
        return "written" if consent.get("sourceAttachment") or consent.get("sourceReference") else "electronic"
    raise BundleError(
        "No active Consent lets the program have the person's details: " + " ".join(problems),
        issue="business-rule",
        expression="Consent",
    )


def _patient(patient: dict) -> PatientDetails:
    warnings = []
    names = patient.get("name") or []
    name = next((n for n in names if n.get("use") in (None, "official", "usual")), names[0] if names else {})
    given = [part for part in name.get("given") or [] if part]
    text = (name.get("text") or "").split()
    first_name = given[0] if given else (text[0] if text else "")
    last_name = name.get("family") or (" ".join(text[1:]) if not given and len(text) > 1 else "")
    if not first_name:
        raise BundleError("Patient.name needs a given name (or a text).", issue="required", expression="Patient.name")
    fields = {"first_name": first_name, "last_name": last_name}
    if patient.get("birthDate"):
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", patient["birthDate"]):
            raise BundleError("Patient.birthDate must be a whole date (YYYY-MM-DD).", expression="Patient.birthDate")
        fields["date_of_birth"] = patient["birthDate"]
    for point in sorted(patient.get("telecom") or [], key=lambda p: p.get("rank") or 99):
        system, value = point.get("system"), (point.get("value") or "").strip()
        if not value or point.get("period", {}).get("end"):
            continue
        if system == "email":
            fields.setdefault("email", value)
        elif system in ("phone", "sms"):
            fields.setdefault("phone", value)
            if system == "sms":
                fields.setdefault("contact_preference", "text")
    postal_codes = [address.get("postalCode") for address in patient.get("address") or [] if address.get("postalCode")]
    if postal_codes:
        fields["zip_code"] = postal_codes[0]
    # A detail our profiles cannot hold (a postal code abroad, a phone number that is not a real number) is
    # left out and said so; the referral still goes.
    for name, label in (("zip_code", "postal code"), ("phone", "phone number")):
        if name in fields:
            try:
                fields[name] = NORMALIZERS[name](fields[name])
            except ValueError as error:
                warnings.append(f"The {label} {fields.pop(name)!r} was left out: {error}")
                if name == "phone" and fields.get("contact_preference") == "text":
                    del fields["contact_preference"]
    language = _language(patient.get("communication") or [])
    if language:
        from seekers.models import Seeker

        if language in Seeker.Language.values:
            fields["preferred_language"] = language
        else:
            warnings.append(
                f"The person's language ({language}) is not one our messages are written in; they get English."
            )
    identifiers = [
        (identifier["system"], identifier["value"])
        for identifier in patient.get("identifier") or []
        if identifier.get("system") and identifier.get("value")
    ]
    if any(
        not (identifier.get("system") and identifier.get("value")) for identifier in patient.get("identifier") or []
    ):
        warnings.append("Patient identifiers without a system and a value were not kept.")
    return PatientDetails(fields=fields, identifiers=identifiers, warnings=warnings)


def _language(communications: list[dict]) -> str:
    ordered = sorted(communications, key=lambda c: not c.get("preferred"))
    for communication in ordered:
        for coding in (communication.get("language") or {}).get("coding") or []:
            if coding.get("code"):
                return coding["code"].split("-")[0].lower()
    return ""


def _comment(service_request: dict) -> str:
    """What the program reads with the referral: the need (code, categories) and the notes."""

    def label(concept) -> str:
        concept = concept or {}
        return concept.get("text") or next(
            (
                coding.get("display") or coding.get("code")
                for coding in concept.get("coding") or []
                if coding.get("display") or coding.get("code")
            ),
            "",
        )

    need = [label(service_request.get("code"))] + [
        label(category) for category in service_request.get("category") or []
    ]
    need = [part for part in dict.fromkeys(need) if part]
    notes = [note.get("text", "").strip() for note in service_request.get("note") or [] if note.get("text")]
    lines = ([f"Requested: {'; '.join(need)}"] if need else []) + notes
    return "\n".join(lines)
