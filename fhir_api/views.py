"""The FHIR endpoints. Thin: visibility comes from referrals.selectors, changes from referral_change_status.

Every answer is ``application/fhir+json``; every error an OperationOutcome: 400 malformed, 401 not signed in,
403 not allowed, 404 not visible (missing or another tenant's: the same answer), 409 illegal transition or
stale meta.versionId, 412 stale If-Match.
"""

from __future__ import annotations

import re
import uuid

from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date
from drf_spectacular.openapi import AutoSchema
from rest_framework import exceptions
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from core.numbers import parse_int
from core.pagination import MAX_PAGE, capped_count
from core.parsers import StrictTextJSONParser as JSONParser
from privacy.models import AccessRecord
from privacy.services import access_record, access_records_for_many
from programs.models import Program
from programs.selectors import program_get, program_questions
from referrals.actors import Actor
from referrals.errors import IllegalTransition, StaleReferral
from referrals.models import Referral, ReferralEvent
from referrals.policies import referral_access
from referrals.selectors import referral_get_visible, referral_history, referrals_for_page
from referrals.services import referral_change_status
from referrals.statuses import FHIR_TASK_STATUS

from . import resources
from .changes import BadRequest, change_from_json_patch, change_from_resource, referral_target
from .inbound import read_referral_bundle
from .outcomes import PreconditionFailed, outcome_for
from .services import referral_receive

FHIR_JSON = "application/fhir+json"
DEFAULT_COUNT = 20
MAX_COUNT = 100
TASK_ORDER = ("-sent_at", "-id")


class FHIRJSONRenderer(JSONRenderer):
    media_type = FHIR_JSON
    format = "fhir+json"
    charset = "utf-8"


class FHIRJSONParser(JSONParser):
    media_type = FHIR_JSON


class JSONPatchParser(JSONParser):
    media_type = "application/json-patch+json"


class AlwaysFHIRJSON(BaseContentNegotiation):
    """FHIR servers answer in a FHIR format whatever Accept says (here: always JSON)."""

    def select_parser(self, request, parsers):
        content_type = request.content_type.split(";")[0].strip().lower()
        return next((parser for parser in parsers if parser.media_type == content_type), None)

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class NotInOpenAPI(AutoSchema):
    """FHIR is described by its CapabilityStatement (/fhir/metadata), not by the REST API's OpenAPI."""

    def is_excluded(self) -> bool:
        return True


class FHIRView(APIView):
    schema = NotInOpenAPI()
    renderer_classes = [FHIRJSONRenderer]
    parser_classes = [FHIRJSONParser, JSONPatchParser, JSONParser]
    content_negotiation_class = AlwaysFHIRJSON

    def outcome(self, message: str, *, status: int, code: str) -> Response:
        return Response(resources.operation_outcome(message, code=code), status=status)

    def handle_exception(self, exc):
        if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
            response = self.outcome(str(exc.detail), status=401, code="login")
            header = self.get_authenticate_header(self.request)
            if header:
                response["WWW-Authenticate"] = header
            return response
        if isinstance(exc, (Http404, Referral.DoesNotExist)):
            return self.outcome("No such resource.", status=404, code="not-found")
        if isinstance(exc, exceptions.ParseError):
            return self.outcome(f"Malformed JSON: {exc.detail}", status=400, code="structure")
        if isinstance(exc, exceptions.UnsupportedMediaType):
            return self.outcome(str(exc.detail), status=415, code="not-supported")
        if isinstance(exc, exceptions.MethodNotAllowed):
            return self.outcome(str(exc.detail), status=405, code="not-supported")
        if isinstance(exc, exceptions.Throttled):
            return self.outcome(str(exc.detail), status=429, code="throttled")
        if isinstance(exc, exceptions.PermissionDenied):
            return self.outcome(str(exc.detail), status=403, code="forbidden")
        mapped = outcome_for(exc)
        if mapped is not None:
            status, body = mapped
            return Response(body, status=status)
        return super().handle_exception(exc)

    def referral(self, resource_id: str) -> Referral:
        try:
            public_id = uuid.UUID(resource_id)
        except ValueError:
            raise Http404 from None
        return referral_get_visible(user=self.request.user, public_id=public_id)

    @staticmethod
    def versioned(response: Response, referral: Referral) -> Response:
        response["ETag"] = f'W/"{referral.version}"'
        response["Last-Modified"] = http_date(referral.updated_at.timestamp())
        return response


class Transaction(FHIRView):
    """POST /fhir/: a referral sent as a transaction Bundle (fhir_api/inbound.py says what it holds)."""

    def post(self, request):
        inbound = read_referral_bundle(request.data)
        received = referral_receive(user=request.user, inbound=inbound)
        return Response(
            resources.transaction_response(
                inbound.entries,
                referral=received.referral,
                seeker_created=received.seeker_created,
                warnings=inbound.warnings + received.warnings,
            ),
            status=201,
        )


class Metadata(FHIRView):
    permission_classes = []

    def get(self, request):
        return Response(resources.capability_statement(base_url=request.build_absolute_uri("/fhir/")))


class ServiceRequestRead(FHIRView):
    def get(self, request, resource_id: str):
        referral = self.referral(resource_id)
        access_record(user=request.user, referral=referral, request=request, via=AccessRecord.Via.FHIR)
        return self.versioned(Response(resources.service_request(referral)), referral)


def _program(resource_id: str):
    """A program of the shared directory by its id (every signed-in caller may read it), or 404."""
    try:
        return program_get(public_id=uuid.UUID(resource_id))
    except (ValueError, Program.DoesNotExist):
        raise Http404 from None


class QuestionnaireRead(FHIRView):
    """A program's intake questions (programs.intake), as the Connect form asks them now."""

    def get(self, request, resource_id: str):
        program = _program(resource_id)
        base_url = request.build_absolute_uri("/fhir/")
        return Response(resources.questionnaire(program, program_questions(program), base_url=base_url))


class QuestionnaireSearch(FHIRView):
    """``program=<id>`` (or ``HealthcareService/<id>``) or ``_id=<id>``: a searchset of that program's
    Questionnaire (empty for an unknown program). One of them is required: the directory is large."""

    def get(self, request):
        given = [
            value.removeprefix("HealthcareService/")
            for name in ("program", "_id")
            for value in request.query_params.getlist(name)
        ]
        if len(given) != 1 or not given[0]:
            raise BadRequest("Search by program=<id> (or HealthcareService/<id>) or _id=<id>, once.")
        try:
            program = _program(given[0])
        except Http404:
            program = None
        base_url, links = _search_links(request, "Questionnaire", page=1, more=False)
        found = [resources.questionnaire(program, program_questions(program), base_url=base_url)] if program else []
        return Response(resources.searchset(found, total=len(found), base_url=base_url, links=links))


class QuestionnaireResponseRead(FHIRView):
    """The answers given with a referral, as asked: 404 for a referral the caller may not see, and for one with
    no answers (its program asked nothing, or they were erased with the person's data)."""

    def get(self, request, resource_id: str):
        referral = self.referral(resource_id)
        if not referral.intake_answers:
            raise Http404
        access_record(user=request.user, referral=referral, request=request, via=AccessRecord.Via.FHIR)
        base_url = request.build_absolute_uri("/fhir/")
        return self.versioned(Response(resources.questionnaire_response(referral, base_url=base_url)), referral)


_IF_MATCH = re.compile(r'^\s*(?:W/)?"([0-9]+)"\s*$', re.ASCII)


class TaskRead(FHIRView):
    def get(self, request, resource_id: str):
        referral = self.referral(resource_id)
        access_record(user=request.user, referral=referral, request=request, via=AccessRecord.Via.FHIR)
        return self.versioned(Response(resources.task(referral)), referral)

    def put(self, request, resource_id: str):
        referral = self.referral(resource_id)
        return self.change(referral, change_from_resource(request.data, task_id=resource_id, whole=True))

    def patch(self, request, resource_id: str):
        referral = self.referral(resource_id)
        if request.content_type.split(";")[0].strip().lower() == JSONPatchParser.media_type:
            change = change_from_json_patch(request.data)
        else:
            change = change_from_resource(request.data, task_id=resource_id, whole=False)
        return self.change(referral, change)

    def change(self, referral: Referral, change) -> Response:
        if_match = self.request.headers.get("If-Match")
        expected = change.version
        if if_match:
            match = _IF_MATCH.match(if_match)
            if not match:
                raise BadRequest('If-Match must be a version ETag such as W/"3"')
            expected = parse_int(match.group(1))
            if expected is None:  # more digits than any version has: it cannot match
                raise PreconditionFailed("If-Match names a version this Task has never had.")
        to_status, reason = referral_target(change)
        try:
            updated = referral_change_status(
                actor=Actor.for_user(self.request.user, via=ReferralEvent.Via.FHIR),
                referral=referral,
                to_status=to_status,
                reason=reason,
                note=change.note,
                expected_version=expected,
            )
        except StaleReferral as error:
            if if_match:
                raise PreconditionFailed(error.message) from None
            raise
        except IllegalTransition as error:
            # A retried request that asks for what is already so is answered with the Task as it is.
            if error.context.get("already") and reason == referral.status_reason:
                return self.versioned(Response(resources.task(referral)), referral)
            raise
        updated = self.referral(str(updated.public_id))
        return self.versioned(Response(resources.task(updated)), updated)


class TaskSearch(FHIRView):
    """Tasks newest first. As the API's referral list: the page's ids come from a narrow query and only those
    rows are joined; ``total`` counts at most 1,000 matches and is left out past that (it is optional in a
    searchset Bundle); ``next`` comes from one row more than the page."""

    def get(self, request):
        referrals = Referral.objects.restrict(request.user, "view:all")
        owner = request.query_params.get("owner")
        if owner:
            try:
                owner_id = uuid.UUID(owner.removeprefix("Organization/"))
            except ValueError:
                raise BadRequest("owner must be Organization/<id>") from None
            referrals = referrals.filter(program__organization__public_id=owner_id)
        status = request.query_params.get("status")
        if status:
            codes = {code.strip() for code in status.split(",") if code.strip()}
            unknown = codes - resources.TASK_STATUS_CODES
            if unknown:
                raise BadRequest(f"unknown Task status {', '.join(sorted(unknown))}")
            referrals = referrals.filter(status__in=[ours for ours, code in FHIR_TASK_STATUS.items() if code in codes])
        for value in request.query_params.getlist("_lastUpdated"):
            referrals = referrals.filter(**_last_updated(value))
        count = _positive(request.query_params.get("_count"), DEFAULT_COUNT, "_count")
        count = min(count, MAX_COUNT)
        page = _positive(request.query_params.get("page"), 1, "page")
        if page > MAX_PAGE:
            raise BadRequest(f"page must be at most {MAX_PAGE}")
        total, more = capped_count(referrals)
        page_ids = list(
            referrals.order_by(*TASK_ORDER).values_list("pk", flat=True)[(page - 1) * count : page * count + 1]
        )
        found = list(
            referrals_for_page(request.user, page_ids[:count], order=TASK_ORDER).select_related(
                "program", "program__organization", "organization", "seeker", "forwarded_from"
            )
        )
        access_records_for_many(user=request.user, request=request, via=AccessRecord.Via.FHIR, referrals=found)
        base_url, links = _search_links(request, "Task", page=page, more=len(page_ids) > count)
        return Response(
            resources.searchset(
                [resources.task(referral) for referral in found],
                total=None if more else total,
                base_url=base_url,
                links=links,
            )
        )


_TARGET = re.compile(r"^(?:Task/|ServiceRequest/)?([^/]+)$")


class ProvenanceSearch(FHIRView):
    """A referral's history as Provenance resources, newest first: ``target=Task/<id>`` (or
    ``ServiceRequest/<id>``, the same referral) is required. A Task the caller may not see, or whose history
    is not theirs to read (the seeker's own account), is "No such resource." as a read of it would be."""

    def get(self, request):
        targets = request.query_params.getlist("target")
        if len(targets) != 1 or not targets[0]:
            raise BadRequest("target is required, once: Task/<id> or ServiceRequest/<id>")
        match = _TARGET.match(targets[0])
        if not match:
            raise BadRequest("target must be Task/<id> or ServiceRequest/<id>")
        referral = self.referral(match.group(1))
        if not referral_access(request.user, referral).may("see_history"):
            raise Http404
        count = min(_positive(request.query_params.get("_count"), MAX_COUNT, "_count"), MAX_COUNT)
        page = _positive(request.query_params.get("page"), 1, "page")
        if page > MAX_PAGE:
            raise BadRequest(f"page must be at most {MAX_PAGE}")
        events = list(referral_history(referral)[(page - 1) * count : page * count + 1])
        access_record(user=request.user, referral=referral, request=request, via=AccessRecord.Via.FHIR)
        base_url, links = _search_links(request, "Provenance", page=page, more=len(events) > count)
        return Response(
            resources.searchset(
                [resources.provenance(event, referral) for event in events[:count]],
                total=len(events) if page == 1 and len(events) <= count else None,
                base_url=base_url,
                links=links,
            )
        )


def _search_links(request, resource_type: str, *, page: int, more: bool) -> tuple[str, dict[str, str]]:
    """The server's base address, and a searchset's links: ``self``, and ``next`` (the same search, the next
    page) when the page fetched one row more than it shows."""
    base_url = request.build_absolute_uri("/fhir/")
    links = {"self": request.build_absolute_uri()}
    if more:
        query = request.query_params.copy()
        query["page"] = str(page + 1)
        links["next"] = f"{base_url}{resource_type}?{query.urlencode()}"
    return base_url, links


def _positive(value, default: int, name: str) -> int:
    if value in (None, ""):
        return default
    number = parse_int(value)
    if number is None:
        raise BadRequest(f"{name} must be a whole number")
    if number < 1:
        raise BadRequest(f"{name} must be at least 1")
    return number


_PREFIXES = {
    "gt": "updated_at__gt",
    "ge": "updated_at__gte",
    "lt": "updated_at__lt",
    "le": "updated_at__lte",
    "eq": "updated_at",
}


def _last_updated(value: str) -> dict:
    """The filter of one ``_lastUpdated`` value: a FHIR date search prefix (default eq) and an instant."""
    prefix = value[:2] if value[:2] in _PREFIXES else "eq"
    moment = parse_datetime(value[2:] if value[:2] in _PREFIXES else value)
    if moment is None:
        raise BadRequest("_lastUpdated must be gt, ge, lt, le or eq and an instant, such as gt2026-01-31T09:00:00Z")
    if timezone.is_naive(moment):
        raise BadRequest("_lastUpdated needs a time zone (Z or +hh:mm)")
    return {_PREFIXES[prefix]: moment}
