"""OpenAPI generation: every operation documents the errors it can answer with."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse

from .serializers import ConflictSerializer, ErrorSerializer

VALIDATION_ERROR = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="Invalid input: field names (or `detail`/`non_field_errors`) mapped to messages.",
)
ERRORS = {
    "400": VALIDATION_ERROR,
    "401": OpenApiResponse(ErrorSerializer, description="Not signed in, or the token is wrong."),
    "403": OpenApiResponse(ErrorSerializer, description="Visible, but you may not make this change."),
    "404": OpenApiResponse(ErrorSerializer, description="Missing, or not yours to see (the same answer)."),
    "405": OpenApiResponse(ErrorSerializer, description="Method not allowed."),
    "406": OpenApiResponse(ErrorSerializer, description="No acceptable response format."),
    "415": OpenApiResponse(ErrorSerializer, description="Unsupported request content type."),
    "429": OpenApiResponse(ErrorSerializer, description="Too many requests; retry after `Retry-After` seconds."),
}
CONFLICT = OpenApiResponse(
    ConflictSerializer, description="Illegal transition, stale `version`, or a duplicate open referral."
)


class ApiAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = dict(ERRORS)
        if self.method in ("POST", "PATCH", "PUT", "DELETE"):
            errors["409"] = CONFLICT
        for code, response in errors.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code, direction=direction)
        return responses
