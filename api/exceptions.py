"""One exception handler for the API: every refusal becomes a 4xx with a readable message, never a 500.

- ReferralError subclasses (referrals.errors) map onto 400/403/409 with the service's own message;
- Django's ObjectDoesNotExist (a lookup outside what the user may see) is 404, the same answer whether
  the object exists in another tenant or not at all;
- Django's ValidationError is 400.
"""

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from programs.selectors import UnknownZipCode
from referrals import errors

# Refusals that concern one input field: the client gets {"<field>": ["<message>"]} like any validation error.
FIELD_OF_ERROR = {
    errors.ReasonRequired: "reason",
    errors.InvalidReason: "reason",
    errors.NoteRequired: "note",
    errors.ConsentRequired: "consent",
    errors.ProgramNotAccepting: "program",
}


def referral_error_response(error: errors.ReferralError) -> Response:
    """The HTTP answer for a refusal from a referral service."""
    if isinstance(error, errors.NotAllowed):
        return Response({"detail": error.message, "code": error.code}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(error, errors.StaleReferral):
        return Response(
            {"detail": error.message, "code": error.code, "current_version": error.current.version},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(error, errors.DuplicateOpenReferral):
        return Response(
            {"detail": error.message, "code": error.code, "existing": str(error.existing.public_id)},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(error, errors.IllegalTransition):
        return Response({"detail": error.message, "code": error.code}, status=status.HTTP_409_CONFLICT)
    field = error.context.get("field") or FIELD_OF_ERROR.get(type(error))
    if field:
        return Response({field: [error.message]}, status=status.HTTP_400_BAD_REQUEST)
    return Response({"detail": error.message, "code": error.code}, status=status.HTTP_400_BAD_REQUEST)


def exception_handler(exc, context):
    if isinstance(exc, errors.ReferralError):
        return referral_error_response(exc)
    if isinstance(exc, UnknownZipCode):
        return Response({"zip": [str(exc)]}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ObjectDoesNotExist):
        exc = Http404()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        )
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else None
        code = getattr(detail, "code", None)
        if code and "code" not in response.data:
            response.data["code"] = code
    return response
