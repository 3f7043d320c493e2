"""The one error vocabulary of the services.

Every service refuses with an ``ApplicationError`` (as the HackSoft styleguide's): a message a person can read,
a ``code`` a program can read, optionally the ``field`` of the input it concerns (or ``errors``, several fields
at once), and ``extra`` context. Nothing was written when one is raised. Its ``kind`` says what the refusal is,
so that every surface maps it the same way, once:

| kind        | class          | web page                          | REST API (api.exceptions) | FHIR (fhir_api)    |
| ----------- | -------------- | --------------------------------- | ------------------------- | ------------------ |
| invalid     | InvalidInput   | the form again, message on field  | 400 ``{field: [message]}`` | 400 invalid        |
| not_allowed | NotAllowed     | 403 (it is a PermissionDenied)    | 403 ``{detail, code}``     | 403 forbidden      |
| not_found   | NotFound       | 404                               | 404                        | 404 not-found      |
| conflict    | Conflict       | the current state, 409            | 409 ``{detail, code, ...}``| 409 conflict       |

Surfaces: ``add_to_form`` (web forms), ``api.exceptions.exception_handler`` (REST), ``fhir_api.outcomes.outcome_for``
(FHIR OperationOutcome). Apps define their own subclasses for the refusals callers tell apart
(``referrals.errors.StaleReferral``), never a second base.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied


class ApplicationError(Exception):
    """A use case was refused; nothing was written."""

    kind = "invalid"
    code = "invalid"
    #: The input a refusal of this class concerns when the raiser names none (``ReasonRequired``: "reason").
    default_field: str | None = None

    def __init__(
        self,
        message: str = "",
        *,
        code: str | None = None,
        field: str | None = None,
        errors: dict | None = None,
        **extra,
    ):
        """``errors``: ``{field: message or [messages]}`` when several inputs are refused at once (each shown on
        its field); ``message`` is then their messages joined, unless given."""
        self.errors: dict[str, list[str]] = {
            name: [str(problem) for problem in (problems if isinstance(problems, (list, tuple)) else [problems])]
            for name, problems in (errors or {}).items()
        }
        if not message:
            message = " ".join(problem for problems in self.errors.values() for problem in problems)
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.field = field or self.default_field
        if self.field and not self.errors:
            self.errors = {self.field: [message]}
        self.extra = extra

    @property
    def context(self) -> dict:
        """``extra`` with the field, as ``referrals.errors.ReferralError`` offered it."""
        return {**self.extra, **({"field": self.field} if self.field else {})}

    @property
    def messages(self) -> list[str]:
        """Every message, by field or not, in one list."""
        if self.errors:
            return [problem for problems in self.errors.values() for problem in problems]
        return [self.message]

    def public_extra(self) -> dict:
        """What a client may be told beyond the message and code (JSON-safe). Subclasses add theirs."""
        return {}


class InvalidInput(ApplicationError):
    """The input cannot be accepted as it is (400)."""

    kind = "invalid"
    code = "invalid"


class NotAllowed(ApplicationError, PermissionDenied):
    """The person may see the object but not make this change (403). Also Django's PermissionDenied, so a web
    view that lets it through answers 403 with Django's own handler."""

    kind = "not_allowed"
    code = "not_allowed"


class NotFound(ApplicationError):
    """Nothing the person may see answers to that name (404): the same for missing and for another tenant's."""

    kind = "not_found"
    code = "not_found"


class Conflict(ApplicationError):
    """The change conflicts with the object's current state (409)."""

    kind = "conflict"
    code = "conflict"


HTTP_STATUS = {"invalid": 400, "not_allowed": 403, "not_found": 404, "conflict": 409}


def http_status(error: ApplicationError) -> int:
    return HTTP_STATUS[error.kind]


def add_to_form(form, error: ApplicationError) -> None:
    """Shows a service's refusal on the form that called it: each message on its field where the form has that
    field, above the form otherwise. The form keeps what the person typed."""
    if not error.errors:
        form.add_error(None, error.message)
        return
    for field, problems in error.errors.items():
        form.add_error(field if field in form.fields else None, problems)
