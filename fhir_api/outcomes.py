"""The one mapping of refusals onto FHIR answers: an HTTP status and an OperationOutcome.

Every FHIR view answers a refused request through ``outcome_for``. A service's refusal (core.errors) answers
by its kind, as on every surface (400 invalid, 403 not allowed, 404 not found, 409 conflict), with the
OperationOutcome issue code FHIR has for it. FHIR's own refinements are here too: a referral Bundle we
cannot take (fhir_api.inbound.BundleError: 400 when it is not valid FHIR, 422 when our rules refuse it, with
every issue and where it is), a program that does not accept referrals or a missing consent (422, a
business rule), an open referral that exists (409 naming its Task), and a stale If-Match (412).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from core.errors import ApplicationError, http_status
from referrals.errors import ConsentRequired, DuplicateOpenReferral, ProgramNotAccepting

from . import resources
from .inbound import BundleError

# A service's refusal as an OperationOutcome issue code: by its own code where FHIR has a closer word, else by
# its kind.
ISSUE_CODE = {"illegal_transition": "business-rule", "unsupported_status": "business-rule", "duplicate": "duplicate"}
ISSUE_CODE_OF_KIND = {
    "invalid": "invalid",
    "not_allowed": "forbidden",
    "not_found": "not-found",
    "conflict": "conflict",
}
# Refusals that FHIR answers 422 (the request is valid FHIR; our rules refuse it).
BUSINESS_RULES = (ProgramNotAccepting, ConsentRequired)


class PreconditionFailed(Exception):
    """If-Match named a version the referral no longer has (412)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def outcome_for(error: Exception) -> tuple[int, dict] | None:
    """(status, OperationOutcome) for a refusal, or None for an exception that is not one (a bug: 500)."""
    if isinstance(error, BundleError):
        return error.status, resources.operation_outcome_of(error.issues)
    if isinstance(error, PreconditionFailed):
        return 412, resources.operation_outcome(error.message, code="conflict")
    if isinstance(error, BUSINESS_RULES):
        return 422, resources.operation_outcome(error.message, code="business-rule")
    if isinstance(error, DuplicateOpenReferral):
        message = f"{error.message} It is Task/{error.existing.public_id}."
        return 409, resources.operation_outcome(message, code="duplicate")
    if isinstance(error, ApplicationError):
        code = ISSUE_CODE.get(error.code) or ISSUE_CODE_OF_KIND[error.kind]
        return http_status(error), resources.operation_outcome(error.message, code=code)
    if isinstance(error, ValidationError):
        messages = [
            f"{name}: {message}" for name, found in getattr(error, "message_dict", {}).items() for message in found
        ] or list(error.messages)
        return 400, resources.operation_outcome_of([("invalid", message, None) for message in messages])
    return None
