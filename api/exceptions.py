"""One exception handler for the API: every refusal becomes a 4xx with a readable message, never a 500.

- a service's refusal (core.errors.ApplicationError) is answered by its kind: 400 with the message on its field
  (``{"<field>": ["<message>"]}``, like any validation error) or ``{"detail", "code"}``, 403, 404, or 409 with
  what the client needs to recover (``current_version``, ``existing``);
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

from core.errors import ApplicationError, http_status


def application_error_response(error: ApplicationError) -> Response:
    """The HTTP answer for a service's refusal."""
    status_code = http_status(error)
    if status_code == status.HTTP_400_BAD_REQUEST and error.errors:
        return Response(error.errors, status=status_code)
    return Response({"detail": error.message, "code": error.code, **error.public_extra()}, status=status_code)


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        return application_error_response(exc)
    if isinstance(exc, ObjectDoesNotExist):
        exc = Http404()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else None
        code = getattr(detail, "code", None)
        if code and "code" not in response.data:
            response.data["code"] = code
    return response
