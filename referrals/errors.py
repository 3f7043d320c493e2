"""Errors raised by referral services. Each carries a message a person can read; callers show it."""


class ReferralError(Exception):
    """A change was refused; nothing was written."""

    code = "invalid"

    def __init__(self, message: str, **context):
        super().__init__(message)
        self.message = message
        self.context = context


class IllegalTransition(ReferralError):
    code = "illegal_transition"


class NotAllowed(ReferralError):
    """The person may see the referral but not make this change (403)."""

    code = "not_allowed"


class ReasonRequired(ReferralError):
    code = "reason_required"


class InvalidReason(ReferralError):
    code = "invalid_reason"


class NoteRequired(ReferralError):
    code = "note_required"


class InvalidInput(ReferralError):
    code = "invalid"


class ConsentRequired(ReferralError):
    code = "consent_required"


class ProgramNotAccepting(ReferralError):
    code = "program_not_accepting"


class StaleReferral(ReferralError):
    """The referral changed since the caller read it (409)."""

    code = "stale"

    def __init__(self, message: str, *, current):
        super().__init__(message, current=current)
        self.current = current


class DuplicateOpenReferral(ReferralError):
    """The seeker already has an open referral to this program (409)."""

    code = "duplicate"

    def __init__(self, message: str, *, existing):
        super().__init__(message, existing=existing)
        self.existing = existing
