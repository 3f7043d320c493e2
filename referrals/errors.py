"""The refusals of the referral services, in the one vocabulary of core.errors.

``ReferralError`` is ``core.errors.ApplicationError`` under its older name, and ``NotAllowed`` and
``InvalidInput`` are core's own: callers may catch them from here or from core. The others are the kinds
callers tell apart (a stale version, a duplicate, a reason that is missing).
"""

from core.errors import ApplicationError, Conflict, InvalidInput, NotAllowed

ReferralError = ApplicationError

__all__ = [
    "ReferralError",
    "IllegalTransition",
    "NotAllowed",
    "ReasonRequired",
    "InvalidReason",
    "NoteRequired",
    "InvalidInput",
    "ConsentRequired",
    "ProgramNotAccepting",
    "StaleReferral",
    "DuplicateOpenReferral",
]


class IllegalTransition(Conflict):
    """The status table has no such move from the referral's current status (409)."""

    code = "illegal_transition"


class ReasonRequired(InvalidInput):
    code = "reason_required"
    default_field = "reason"


class InvalidReason(InvalidInput):
    code = "invalid_reason"
    default_field = "reason"


class NoteRequired(InvalidInput):
    code = "note_required"
    default_field = "note"


class ConsentRequired(InvalidInput):
    code = "consent_required"
    default_field = "consent"


class ProgramNotAccepting(InvalidInput):
    code = "program_not_accepting"
    default_field = "program"


class StaleReferral(Conflict):
    """The referral changed since the caller read it (409)."""

    code = "stale"

    def __init__(self, message: str, *, current):
        super().__init__(message, current=current)
        self.current = current

    def public_extra(self) -> dict:
        return {"current_version": self.current.version}


class DuplicateOpenReferral(Conflict):
    """The seeker already has an open referral to this program (409)."""

    code = "duplicate"

    def __init__(self, message: str, *, existing):
        super().__init__(message, existing=existing)
        self.existing = existing

    def public_extra(self) -> dict:
        return {"existing": str(self.existing.public_id)}
