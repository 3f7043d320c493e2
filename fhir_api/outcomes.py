"""The one mapping of refusals onto FHIR answers: an HTTP status and an OperationOutcome.

Every FHIR view answers a refused request through ``outcome_for``: the errors the services raise
(referrals.errors), the FHIR-specific ones of this app (a body we cannot read, a Bundle we do not take) and
Django's validation errors. When the project's one error base arrives (core/errors.py), this is the function
to re-point.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from referrals import errors

from . import resources
from .changes import BadRequest, Unsupported
from .inbound import BundleError


class Conflict(Exception):
    def __init__(self, message: str, *, status: int = 409, code: str = "conflict"):
        super().__init__(message)
        self.message, self.status, self.code = message, status, code


def outcome_for(error: Exception) -> tuple[int, dict] | None:
    """(status, OperationOutcome) for a refusal, or None for an exception that is not one (a bug: 500)."""
    if isinstance(error, BundleError):
        return error.status, resources.operation_outcome_of(error.issues)
    if isinstance(error, BadRequest):
        return 400, resources.operation_outcome(str(error), code="invalid")
    if isinstance(error, Unsupported):
        return 409, resources.operation_outcome(str(error), code="business-rule")
    if isinstance(error, Conflict):
        return error.status, resources.operation_outcome(error.message, code=error.code)
    if isinstance(error, errors.NotAllowed):
        return 403, resources.operation_outcome(error.message, code="forbidden")
    if isinstance(error, errors.StaleReferral):
        return 409, resources.operation_outcome(error.message, code="conflict")
    if isinstance(error, errors.IllegalTransition):
        return 409, resources.operation_outcome(error.message, code="business-rule")
    if isinstance(error, errors.DuplicateOpenReferral):
        existing = error.existing
        return 409, resources.operation_outcome(
            f"{error.message} It is Task/{existing.public_id}.", code="duplicate")
    if isinstance(error, (errors.ProgramNotAccepting, errors.ConsentRequired)):
        return 422, resources.operation_outcome(error.message, code="business-rule")
    if isinstance(error, errors.ReferralError):
        return 400, resources.operation_outcome(error.message, code="invalid")
    if isinstance(error, ValidationError):
        messages = [f"{name}: {message}" for name, found in getattr(error, "message_dict", {}).items()
                    for message in found] or list(error.messages)
        return 400, resources.operation_outcome_of([("invalid", message, None) for message in messages])
    return None
