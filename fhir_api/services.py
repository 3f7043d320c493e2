"""What a FHIR request changes. Each use case calls the services the web app uses, so the rules are theirs."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.db import transaction

from accounts.models import Organization
from core.errors import InvalidInput, NotAllowed
from programs.selectors import program_questions
from referrals.actors import Actor
from referrals.models import Referral, ReferralEvent
from referrals.services import referral_create
from seekers.policies import site_memberships
from seekers.selectors import seekers_by_identifiers
from seekers.services import seeker_create, seeker_identifiers_add, site_membership_for

from .inbound import BundleError, InboundReferral


@dataclass
class Received:
    referral: Referral
    seeker_created: bool
    warnings: list[str] = field(default_factory=list)


def _referring_organization(user, requester_id: str | None) -> Organization:
    """The site the caller refers for: the one the ServiceRequest names as requester, if it is one of theirs,
    else the first they joined (as a web referral's profile would be added to)."""
    if requester_id:
        try:
            public_id = uuid.UUID(requester_id)
        except ValueError:
            public_id = None
        membership = site_memberships(user).filter(organization__public_id=public_id).first() if public_id else None
        if membership is None:  # the same answer whether the organization exists elsewhere or not at all
            raise BundleError(
                f"ServiceRequest.requester Organization/{requester_id} is not a site you work for.",
                expression="ServiceRequest.requester",
            )
        return membership.organization
    membership = site_membership_for(user)
    if membership is None:
        raise NotAllowed("Only workers at a site can send referrals; this account works at none.")
    return membership.organization


def _answers_refused(error: InvalidInput, program) -> Exception:
    """referral_create's refusal of intake answers (``answers.<question id>``) as a Bundle's issues, one per
    question, each naming the question's wording and where its answer goes (422: valid FHIR our rules refuse)."""
    refused = {name.removeprefix("answers."): problems for name, problems in error.errors.items() if "." in name}
    if not refused or set(error.errors) - {f"answers.{question_id}" for question_id in refused}:
        return error
    wording = {question["id"]: question["text"] for question in program_questions(program)}
    issues = [
        (
            "business-rule",
            f"{program.name} asks “{wording.get(question_id, question_id)}”: {' '.join(problems)}",
            f"QuestionnaireResponse.item.where(linkId='{question_id}')",
        )
        for question_id, problems in refused.items()
    ]
    first = issues[0][1]
    return BundleError(
        f"{first} Answer the program's intake questions (Questionnaire/{program.public_id}) in a "
        "QuestionnaireResponse of the Bundle.",
        issues=[(issues[0][0], f"{first} (Questionnaire/{program.public_id})", issues[0][2]), *issues[1:]],
    )


@transaction.atomic
def referral_receive(*, user, inbound: InboundReferral) -> Received:
    """Makes the referral an EHR or another network sent (read by fhir_api.inbound.read_referral_bundle).

    Guarantees: the referring organization is the caller's (never one the Bundle names that they do not work
    for); the person is the profile of that organization that one of the Patient's identifiers names, or a new
    profile added by the caller (identifiers recorded, so that the next referral finds it); the referral is
    made by referral_create with the caller as referrer, via FHIR, so consent, the duplicate check, grants,
    history, emails and webhooks are a web referral's. All of it or nothing.
    """
    organization = _referring_organization(user, inbound.requester_id)
    patient = inbound.patient
    matches = seekers_by_identifiers(organization=organization, identifiers=patient.identifiers)
    if len(matches) > 1:
        raise BundleError(
            "The Patient's identifiers name different people your organization helps; send one person's identifiers.",
            issue="conflict",
            expression="Patient.identifier",
        )
    warnings = []
    if matches:
        seeker, created = matches[0], False
        warnings.append(
            "The person was found by identifier among the people your organization helps; their "
            "profile was kept as it is."
        )
    else:
        seeker, created = seeker_create(actor=user, organization=organization, **patient.fields), True
    if patient.identifiers:
        seeker_identifiers_add(actor=user, seeker=seeker, identifiers=patient.identifiers)
    try:
        referral = referral_create(
            actor=Actor.for_user(user, via=ReferralEvent.Via.FHIR),
            seeker=seeker,
            program=inbound.program,
            comment=inbound.comment,
            urgency=inbound.urgency,
            consent_method=inbound.consent_method,
            answers=inbound.answers,
        )
    except InvalidInput as error:
        raise _answers_refused(error, inbound.program) from None
    return Received(referral=referral, seeker_created=created, warnings=warnings)
