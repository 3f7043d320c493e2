"""The REST API. Thin: each view fetches in the user's scope and calls one service or selector.

Lookups go through the rule book's restrict() (referrals.policies, seekers.policies), so anything the user may
not see answers 404 whether it exists or not; services raise NotAllowed (403) for a visible object the user
may not change, and every refusal (core.errors) is mapped once by api.exceptions.
"""

from __future__ import annotations

import csv
import io

from django.contrib.auth import authenticate
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import InvalidInput
from core.ratelimit import AnonRateLimitThrottle, ScopedRateLimitThrottle
from core.statements import IdsStatement
from goals.services import goal_create
from privacy.models import AccessRecord
from privacy.services import access_record, access_records_for_many
from programs.selectors import directory, program_get, program_search, seeker_facts, with_verdicts
from referrals import exports
from referrals.actors import Actor
from referrals.models import Referral, ReferralEvent
from referrals.policies import programs_referred_for, referral_access, seeker_side_shape, with_seeker_side
from referrals.selectors import (
    referral_get_visible,
    referral_history,
    referral_replacement_candidates,
    referrals_for_page,
)
from referrals.services import (
    note_add,
    note_delete,
    referral_change_status,
    referral_create,
    referral_forward,
    referral_mark_viewed,
    referral_set_goal,
)
from referrals.views_export import csv_response
from seekers import policies as seeker_policies
from seekers.models import Seeker
from seekers.services import seeker_create, seeker_update

from . import serializers
from .permissions import IsOrganizationAdmin
from .schema import ApiAutoSchema

REFERRAL_RELATED = (
    "program",
    "program__organization",
    "seeker",
    "organization",
    "referred_by",
    "goal",
    "assigned_to",
    "replaced_by",
    "forwarded_from",
    "on_behalf_of_program",
    "on_behalf_of_program__organization",
)
REFERRAL_ORDER = ("-sent_at", "-id")


def api_actor(user) -> Actor:
    return Actor.for_user(user, via=ReferralEvent.Via.API)


class ApiView(APIView):
    schema = ApiAutoSchema()


# --- auth ---------------------------------------------------------------------------------------------


class TokenView(ApiView):
    """Exchange an email and password (and a current `otp` code for people with two-factor sign-in and for
    organization admins) for a new API token, one per device: `{"token", "expiry"}`. Send it as
    `Authorization: Token <token>`. It expires after API_TOKEN_TTL_HOURS and ends with a password change or
    reset, a role change, deactivation or erasure; its owner can revoke it from their account page."""

    authentication_classes = []
    permission_classes = [AllowAny]
    # Checks passwords: strict, per client address (core.ratelimit, scope api_token).
    throttle_classes = [ScopedRateLimitThrottle, AnonRateLimitThrottle]
    ratelimit_scope = "api_token"

    @extend_schema(
        request=serializers.TokenRequestSerializer, responses={200: serializers.TokenSerializer}, auth=[], tags=["auth"]
    )
    def post(self, request):
        payload = serializers.TokenRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        user = authenticate(
            request._request, email=payload.validated_data["email"].lower(), password=payload.validated_data["password"]
        )
        if user is None or not user.is_active:
            raise ValidationError({"non_field_errors": ["The email or password is not right."]})
        # A token must not be a way around two-factor sign-in: the same rule as the web's. Whether it was
        # issued with a second factor is kept on the token (security.policies.token_second_factor_satisfied).
        from django_otp import match_token, user_has_device

        from security.policies import requires_two_factor
        from security.services import api_token_issue

        code = payload.validated_data.get("otp", "")
        if user_has_device(user):
            if not code or match_token(user, code.replace(" ", "")) is None:
                raise ValidationError({"otp": ["Enter a current code from your authenticator app."]})
            with_second_factor = True
        elif requires_two_factor(user):
            raise ValidationError({"otp": ["Set up two-factor sign-in on the web first (Account › Two-factor)."]})
        else:
            with_second_factor = False
        token, secret = api_token_issue(user=user, with_second_factor=with_second_factor)
        return Response(serializers.TokenSerializer({"token": secret, "expiry": token.expiry}).data)


# --- programs -----------------------------------------------------------------------------------------


@extend_schema(tags=["programs"], parameters=[serializers.ProgramSearchSerializer])
class ProgramList(ApiView, generics.ListAPIView):
    """Search the shared directory. With `zip`, results are nearest first and carry `distance_miles`. With
    `seeker` (a person you help), each program carries `eligibility_verdict` for them (programs.eligibility);
    every program is listed, whatever its verdict."""

    serializer_class = serializers.ProgramSerializer
    facts = None

    def get_queryset(self):
        search = serializers.ProgramSearchSerializer(data=self.request.query_params)
        search.is_valid(raise_exception=True)
        filters = search.validated_data
        if filters.get("seeker") is not None:
            # Started from the user's own seekers: another tenant's id is 404, as a missing one (api.exceptions).
            seeker = Seeker.objects.restrict(self.request.user, "view").get(public_id=filters["seeker"])
            self.facts = seeker_facts(seeker)
        return program_search(
            zip_code=filters.get("zip", ""),
            radius_miles=filters.get("radius_miles"),
            category=filters.get("category", ""),
            q=filters.get("q", ""),
            accepting=filters.get("accepting"),
        )

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if self.facts is not None and page is not None:
            with_verdicts(page, self.facts)
        return page


@extend_schema(tags=["programs"])
class ProgramDetail(ApiView, generics.RetrieveAPIView):
    """One program of the directory, with its intake questions (`questions`: answer them in a referral's
    `answers`)."""

    serializer_class = serializers.ProgramDetailSerializer
    queryset = directory()

    def get_object(self):
        return program_get(public_id=self.kwargs["program_id"])


# --- seekers and goals --------------------------------------------------------------------------------


def _seeker_or_404(user, public_id):
    return Seeker.objects.restrict(user, "view").get(public_id=public_id)


@extend_schema(tags=["seekers"])
class SeekerList(ApiView, generics.ListCreateAPIView):
    """The people the user helps. A new seeker belongs to the user's own site organization."""

    serializer_class = serializers.SeekerSerializer

    def get_queryset(self):
        return (
            Seeker.objects.restrict(self.request.user, "view")
            .select_related("organization")
            .order_by("last_name", "first_name", "id")
        )

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        access_records_for_many(
            user=self.request.user,
            request=self.request,
            via=AccessRecord.Via.API,
            seekers=page if page is not None else queryset,
        )
        return page

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        confirm_new = data.pop("confirm_new", False)
        chosen = data.pop("organization", {}).get("public_id")
        organizations = [
            membership.organization for membership in seeker_policies.referring_memberships(self.request.user)
        ]
        if not organizations:
            organization = None  # seeker_create refuses: only workers at a site add people (403)
        elif chosen is not None:
            matching = [organization for organization in organizations if organization.public_id == chosen]
            if not matching:
                raise ValidationError({"organization": ["You do not work at that organization."]})
            organization = matching[0]
        elif len(organizations) == 1:
            organization = organizations[0]
        else:
            raise ValidationError({"organization": ["You work at several organizations: say which one."]})
        serializer.instance = seeker_create(
            actor=self.request.user, organization=organization, check_duplicates=not confirm_new, **data
        )


@extend_schema(tags=["seekers"])
class SeekerDetail(ApiView, generics.RetrieveUpdateAPIView):
    serializer_class = serializers.SeekerSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        return (
            Seeker.objects.restrict(self.request.user, "view")
            .select_related("organization")
            .get(public_id=self.kwargs["seeker_id"])
        )

    def retrieve(self, request, *args, **kwargs):
        seeker = self.get_object()
        access_record(user=request.user, seeker=seeker, request=request, via=AccessRecord.Via.API)
        return Response(self.get_serializer(seeker).data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("organization", None)
        serializer.instance = seeker_update(actor=self.request.user, seeker=serializer.instance, **data)


@extend_schema(tags=["seekers"])
class SeekerGoals(ApiView, generics.ListCreateAPIView):
    serializer_class = serializers.GoalSerializer

    def get_seeker(self):
        if not hasattr(self, "_seeker"):
            self._seeker = _seeker_or_404(self.request.user, self.kwargs["seeker_id"])
        return self._seeker

    def get_queryset(self):
        return self.get_seeker().goals.order_by("status", "created_at", "id")

    def list(self, request, *args, **kwargs):
        access_record(user=request.user, seeker=self.get_seeker(), request=request, via=AccessRecord.Via.API)
        return super().list(request, *args, **kwargs)

    def perform_create(self, serializer):
        serializer.instance = goal_create(
            actor=self.request.user, seeker=self.get_seeker(), title=serializer.validated_data["title"]
        )


# --- referrals ----------------------------------------------------------------------------------------


def _referral_or_404(user, public_id):
    return referral_get_visible(user=user, public_id=public_id)


def _referral_response(request, referral, *, status_code=status.HTTP_200_OK):
    return Response(serializers.ReferralSerializer(referral, context={"request": request}).data, status=status_code)


# A page of the referral list's rows by their ids (already chosen by the paginator), each probed in the grant tables,
# joined to what the serializer shows: written once per process (core.statements, prepared on PostgreSQL) with a
# place for each of a page's ids, a shorter page filling the others with 0, which no referral has. Building and
# compiling them, and PostgreSQL's planning of their eleven joins, were ~5 ms a page.
_REFERRAL_PAGE = IdsStatement(
    "a page of the API's referrals, by their ids",
    lambda user, ids: with_seeker_side(referrals_for_page(user, ids, order=REFERRAL_ORDER), user).select_related(
        *REFERRAL_RELATED
    ),
)


@extend_schema(tags=["referrals"])
class ReferralList(ApiView, generics.ListAPIView):
    """Referrals the user may see: `direction=inbound` (to programs they claim or their organization
    provides), `outbound` (made by them or shared with them), or all by default."""

    serializer_class = serializers.ReferralSerializer

    def get_queryset(self):
        """The ids of the visible referrals the filters select, newest first: what the paginator counts (up to
        its cap) and slices. Only the page's rows are joined, in ``paginate_queryset``."""
        filters = serializers.ReferralFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        filters = filters.validated_data
        user = self.request.user
        # Inbound: the programs' referrals, no grant probed on each ("receive:ids"); the page's rows are read
        # through their grants (referrals_for_page), as every direction's are.
        action = {"inbound": "receive:ids", "outbound": "refer:all"}.get(filters.get("direction"), "view:all")
        referrals = Referral.objects.restrict(user, action)
        if filters.get("status"):
            referrals = referrals.filter(status=filters["status"])
        if filters.get("program"):
            referrals = referrals.filter(program__public_id=filters["program"])
        return referrals.order_by(*REFERRAL_ORDER).values_list("pk", flat=True)

    def paginate_queryset(self, queryset):
        page_ids = super().paginate_queryset(queryset)
        if page_ids is None:
            return None
        user = self.request.user
        page = _REFERRAL_PAGE.rows(
            page_ids, shape=seeker_side_shape(user), places=self.paginator.page_size, user=user.pk
        )
        access_records_for_many(user=user, request=self.request, via=AccessRecord.Via.API, referrals=page)
        return page

    @extend_schema(parameters=[serializers.ReferralFilterSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=serializers.ReferralCreateSerializer, responses={201: serializers.ReferralSerializer})
    def post(self, request):
        """Refer one of the user's seekers to a program (consent required)."""
        payload = serializers.ReferralCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        seeker = Seeker.objects.restrict(request.user, "view").filter(public_id=data["seeker"]).first()
        if seeker is None:
            raise ValidationError({"seeker": ["No seeker of yours has this id."]})
        program = directory().filter(public_id=data["program"]).first()
        if program is None:
            raise ValidationError({"program": ["No program has this id."]})
        goal = None
        if data["goal"] is not None:
            goal = seeker.goals.filter(public_id=data["goal"]).first()
            if goal is None:
                raise ValidationError({"goal": ["That is not one of this seeker's goals."]})
        on_behalf_of = None
        if data["on_behalf_of_program"] is not None:
            on_behalf_of = programs_referred_for(request.user).filter(public_id=data["on_behalf_of_program"]).first()
            if on_behalf_of is None:
                raise ValidationError(
                    {"on_behalf_of_program": ["You can only refer on behalf of a program you claim."]}
                )
        try:
            referral = referral_create(
                actor=api_actor(request.user),
                seeker=seeker,
                program=program,
                comment=data["comment"],
                urgency=data["urgency"],
                consent_method=data["consent_method"],
                goal=goal,
                on_behalf_of_program=on_behalf_of,
                answers=data["answers"],
            )
        except InvalidInput as error:
            raise _answers_nested(error) from None
        return _referral_response(
            request, _referral_or_404(request.user, referral.public_id), status_code=status.HTTP_201_CREATED
        )


def _answers_nested(error: InvalidInput) -> Exception:
    """The service names a refused intake answer ``answers.<question id>``; the API nests them under ``answers``
    (``{"answers": {"<question id>": ["<why>"]}}``), as a serializer's nested errors read."""
    if not any(name.startswith("answers.") for name in error.errors):
        return error
    nested: dict = {}
    for name, problems in error.errors.items():
        if name.startswith("answers."):
            nested.setdefault("answers", {})[name.removeprefix("answers.")] = problems
        else:
            nested[name] = problems
    return ValidationError(nested)


@extend_schema(tags=["referrals"])
class ReferralDetail(ApiView):
    @extend_schema(responses={200: serializers.ReferralSerializer})
    def get(self, request, referral_id):
        """One referral. A claimer's first look marks a `sent` referral `viewed` (a network admin's does not)."""
        referral = _referral_or_404(request.user, referral_id)
        if referral_access(request.user, referral).may("mark_viewed"):
            referral_mark_viewed(actor=api_actor(request.user), referral=referral)
            referral = _referral_or_404(request.user, referral_id)
        access_record(user=request.user, referral=referral, request=request, via=AccessRecord.Via.API)
        return _referral_response(request, referral)

    @extend_schema(request=serializers.ReferralUpdateSerializer, responses={200: serializers.ReferralSerializer})
    def patch(self, request, referral_id):
        """Add the referral to one of the seeker's goals, move it, or remove it (`goal: null`)."""
        referral = _referral_or_404(request.user, referral_id)
        payload = serializers.ReferralUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        goal = None
        if payload.validated_data["goal"] is not None:
            goal = referral.seeker.goals.filter(public_id=payload.validated_data["goal"]).first()
            if goal is None:
                raise ValidationError({"goal": ["That is not one of this seeker's goals."]})
        referral_set_goal(
            actor=api_actor(request.user),
            referral=referral,
            goal=goal,
            expected_version=payload.validated_data["version"],
        )
        return _referral_response(request, _referral_or_404(request.user, referral_id))


@extend_schema(tags=["referrals"])
class ReferralStatus(ApiView):
    @extend_schema(request=serializers.StatusChangeSerializer, responses={200: serializers.ReferralSerializer})
    def post(self, request, referral_id):
        """Change the status, as the status table allows you (a closing status needs its reason)."""
        referral = _referral_or_404(request.user, referral_id)
        payload = serializers.StatusChangeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        replaced_by = None
        if data["replaced_by"] is not None:
            replaced_by = (
                referral_replacement_candidates(request.user, referral).filter(public_id=data["replaced_by"]).first()
            )
            if replaced_by is None:
                raise ValidationError(
                    {"replaced_by": ["No other referral of this seeker that you can see has this id."]}
                )
        referral_change_status(
            actor=api_actor(request.user),
            referral=referral,
            to_status=data["status"],
            reason=data["reason"],
            note=data["note"],
            expected_version=data["version"],
            replaced_by=replaced_by,
        )
        return _referral_response(request, _referral_or_404(request.user, referral_id))


@extend_schema(tags=["referrals"])
class ReferralForward(ApiView):
    @extend_schema(request=serializers.ReferralForwardSerializer, responses={201: serializers.ReferralSerializer})
    def post(self, request, referral_id):
        """Forward an inbound referral to another program (claimers): the new referral, made on behalf of your
        program, is answered with 201; the original closes as declined, forwarded. A closed referral answers
        409, a program that does not accept referrals (or the same program) 400."""
        referral = _referral_or_404(request.user, referral_id)
        payload = serializers.ReferralForwardSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        program = directory().filter(public_id=data["program"]).first()
        if program is None:
            raise ValidationError({"program": ["No program has this id."]})
        try:
            forwarded = referral_forward(
                actor=api_actor(request.user),
                referral=referral,
                program=program,
                comment=data["comment"],
                consent_method=data["consent_method"],
                answers=data["answers"],
            )
        except InvalidInput as error:
            raise _answers_nested(error) from None
        return _referral_response(
            request, _referral_or_404(request.user, forwarded.public_id), status_code=status.HTTP_201_CREATED
        )


class _OnVisibleReferral:
    def get_referral(self):
        if not hasattr(self, "_referral"):
            referral = _referral_or_404(self.request.user, self.kwargs["referral_id"])
            if not referral_access(self.request.user, referral).may("see_history"):
                raise Http404("Staff notes and history are not shown to the seeker's own account.")
            self._referral = referral
        return self._referral


@extend_schema(tags=["referrals"])
class ReferralNotes(_OnVisibleReferral, ApiView, generics.ListCreateAPIView):
    serializer_class = serializers.NoteSerializer

    def get_queryset(self):
        return self.get_referral().notes.order_by("-created_at", "-id")

    def list(self, request, *args, **kwargs):
        access_record(user=request.user, referral=self.get_referral(), request=request, via=AccessRecord.Via.API)
        return super().list(request, *args, **kwargs)

    def perform_create(self, serializer):
        serializer.instance = note_add(
            actor=api_actor(self.request.user), referral=self.get_referral(), body=serializer.validated_data["body"]
        )


@extend_schema(tags=["referrals"])
class ReferralNoteDetail(_OnVisibleReferral, ApiView, generics.DestroyAPIView):
    """Delete a note (its author or an organization admin). The history keeps an event, not the text."""

    serializer_class = serializers.NoteSerializer

    def get_object(self):
        return self.get_referral().notes.select_related("referral").get(public_id=self.kwargs["note_id"])

    def perform_destroy(self, note):
        note_delete(actor=api_actor(self.request.user), note=note)


@extend_schema(tags=["referrals"])
class ReferralHistory(_OnVisibleReferral, ApiView, generics.ListAPIView):
    """The referral's history, newest first."""

    serializer_class = serializers.EventSerializer

    def get_queryset(self):
        return referral_history(self.get_referral())

    def list(self, request, *args, **kwargs):
        access_record(user=request.user, referral=self.get_referral(), request=request, via=AccessRecord.Via.API)
        return super().list(request, *args, **kwargs)


# --- exports ------------------------------------------------------------------------------------------


class CSVRenderer(BaseRenderer):
    """Lets clients ask for `text/csv`; the export streams its own lines, this renders refusals."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        detail = data.get("detail", data) if isinstance(data, dict) else data
        lines = io.StringIO()
        csv.writer(lines).writerows([["detail"], [str(detail)]])
        return lines.getvalue().encode()


@extend_schema(tags=["exports"])
class ReferralExport(ApiView):
    """Your organization's referrals, sent and received, as CSV (organization admins only; streamed)."""

    permission_classes = [IsOrganizationAdmin]
    renderer_classes = [JSONRenderer, CSVRenderer]

    @extend_schema(
        parameters=[serializers.ExportQuerySerializer],
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV, one referral a line.")},
    )
    def get(self, request):
        query = serializers.ExportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        organization = exports.export_organization_for(request.user, query.validated_data.get("organization"))
        return csv_response(request, organization, via=AccessRecord.Via.API)
