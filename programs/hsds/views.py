"""The HSDS 3.0 API under /hsds/, as Open Referral's openapi.json describes it: public and read-only, like /find/.

- ``GET /hsds/`` says which HSDS version this is and where its OpenAPI description is (/hsds/openapi.json);
- ``/services``, ``/organizations``, ``/service_at_locations``, ``/taxonomies``, ``/taxonomy_terms`` are HSDS
  API pages (``total_items``, ``total_pages``, ``page_number``, ``size``, ``first_page``, ``last_page``,
  ``empty``, ``contents``) with the filters the specification names; ``format=ndjson`` streams every
  result, one JSON document a line, without pages;
- ``/services/{id}``, ``/organizations/{id}``, ``/service_at_locations/{id}``, ``/taxonomies/{id}`` and
  ``/taxonomy_terms/{id}`` are single documents.

A filter value the API cannot use is a 400 that says which and why; an unknown id a 404. Requests are
counted per client address (the ``hsds`` throttle rate).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from core.numbers import MAX_DIGITS, parse_int
from core.ratelimit import RateLimitThrottle
from core.zipcode import InvalidZipCode, parse_zip
from programs.models import Category

from . import export, selectors
from .openapi import openapi_document

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100
MAX_PER_PAGE_MINIMAL = 10_000  # "minimal" asks for every service in one page: the documents are small
STREAM_CHUNK = 500


class BadQuery(ValueError):
    """A query parameter the API cannot use (400)."""


class HSDSThrottle(RateLimitThrottle):
    """Per client address (core.ratelimit), signed in or not: the directory is public."""

    scope = "hsds"


class AlwaysJSON(BaseContentNegotiation):
    """JSON whatever Accept says; and ``format`` is the HSDS parameter (json or ndjson), not DRF's."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class HSDSView(APIView):
    authentication_classes = []
    permission_classes = []
    throttle_classes = [HSDSThrottle]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = AlwaysJSON
    schema = None  # described by /hsds/openapi.json, not by the REST API's schema

    def handle_exception(self, exc):
        if isinstance(exc, (BadQuery, selectors.FilterError)):
            return Response({"detail": str(exc)}, status=400)
        return super().handle_exception(exc)

    def not_found(self, what: str) -> Response:
        return Response({"detail": f"No such {what}."}, status=404)

    # --- query parameters ---

    def param(self, name: str) -> str:
        return self.request.query_params.get(name, "").strip()

    def flag(self, name: str) -> bool:
        value = self.param(name).lower()
        if value in ("", "false", "0"):
            return False
        if value in ("true", "1"):
            return True
        raise BadQuery(f"{name} must be true or false.")

    def whole_number(self, name: str, default: int) -> int:
        value = self.param(name)
        if not value:
            return default
        number = parse_int(value, minimum=1)
        if number is None:
            raise BadQuery(f"{name} must be a whole number of at least 1 (digits 0 to 9, at most {MAX_DIGITS}).")
        return number

    def moment(self, name: str):
        value = self.param(name)
        if not value:
            return None
        moment = parse_datetime(value)
        if moment is None and parse_date(value):
            moment = parse_datetime(f"{value}T00:00:00")
        if moment is None:
            raise BadQuery(f"{name} must be a date or date and time (ISO 8601), such as 2024-05-01T10:00:00Z.")
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, timezone.get_default_timezone())
        return moment

    def output_format(self) -> str:
        value = self.param("format").lower() or "json"
        if value not in ("json", "ndjson"):
            raise BadQuery("format must be json or ndjson.")
        return value

    def service_filters(self, *, places: bool = False) -> selectors.ServiceFilters:
        filters = selectors.ServiceFilters(
            search=self.param("search"),
            taxonomy_term_id=self.param("taxonomy_term_id"),
            taxonomy_id=self.param("taxonomy_id"),
            organization_id=self.param("organization_id"),
            modified_after=self.moment("modified_after"),
        )
        if places:
            try:
                filters.postcode = parse_zip(self.param("postcode"))
            except InvalidZipCode as error:
                raise BadQuery(f"postcode: {error.message}") from None
            proximity = self.param("proximity")
            if proximity:
                try:
                    filters.proximity_meters = float(proximity)
                except ValueError:
                    raise BadQuery("proximity must be a distance in meters.") from None
                if not 0 < filters.proximity_meters <= 1_000_000:
                    raise BadQuery("proximity must be a distance in meters, more than 0 and at most 1,000,000.")
                if not filters.postcode:
                    raise BadQuery("proximity needs a postcode to measure from.")
        return filters

    # --- answers ---

    def page(
        self,
        items,
        document: Callable[[object], dict | None],
        *,
        max_per_page: int = MAX_PER_PAGE,
        default_per_page: int = DEFAULT_PER_PAGE,
    ):
        """An HSDS API page of ``items`` (a queryset or list), or with format=ndjson every item, a line each."""
        if self.output_format() == "ndjson":
            return self.stream(items, document)
        page_number = self.whole_number("page", 1)
        per_page = min(self.whole_number("per_page", default_per_page), max_per_page)
        paginator = Paginator(items, per_page, allow_empty_first_page=True)
        total_pages = paginator.num_pages
        rows = paginator.page(page_number).object_list if page_number <= total_pages else []
        contents = [found for found in (document(item) for item in rows) if found is not None]
        return Response(
            {
                "total_items": paginator.count,
                "total_pages": total_pages,
                "page_number": page_number,
                "size": len(contents),
                "first_page": page_number == 1,
                "last_page": page_number >= total_pages,
                "empty": not contents,
                "contents": contents,
            }
        )

    def stream(self, items, document: Callable[[object], dict | None]) -> StreamingHttpResponse:
        def lines() -> Iterable[str]:
            for item in _chunked(items):
                found = document(item)
                if found is not None:
                    yield json.dumps(found, ensure_ascii=False) + "\n"

        return StreamingHttpResponse(lines(), content_type="application/x-ndjson; charset=utf-8")


def _chunked(items):
    """Each item, reading a queryset in chunks (prefetches included) rather than all at once."""
    if isinstance(items, list):
        yield from items
        return
    yield from items.iterator(chunk_size=STREAM_CHUNK)


class Metadata(HSDSView):
    def get(self, request):
        return Response(
            {
                "version": export.HSDS_VERSION,
                "openapi_url": request.build_absolute_uri(reverse("hsds:openapi")),
            }
        )


class OpenAPI(HSDSView):
    def get(self, request):
        return Response(openapi_document(server_url=request.build_absolute_uri(reverse("hsds:metadata"))))


class ServiceList(HSDSView):
    def get(self, request):
        minimal, full = self.flag("minimal"), self.flag("full")
        programs = selectors.services_filtered(self.service_filters())
        if minimal:
            return self.page(
                programs,
                export.service_minimal_json,
                max_per_page=MAX_PER_PAGE_MINIMAL,
                default_per_page=MAX_PER_PAGE_MINIMAL,
            )
        return self.page(programs, export.service_json if full else export.service_list_json)


class ServiceDetail(HSDSView):
    def get(self, request, service_id: str):
        program = selectors.service_get(service_id)
        if program is None:
            return self.not_found("service")
        return Response(export.service_json(program))


class OrganizationList(HSDSView):
    def get(self, request):
        full, full_service = self.flag("full"), self.flag("full_service")
        organizations = selectors.providers()
        if search := self.param("search"):
            organizations = organizations.filter(name__icontains=search)
        if full or full_service:
            organizations = organizations.prefetch_related(selectors.programs_of(full_service))
            return self.page(
                organizations,
                lambda organization: export.organization_full_json(
                    organization, organization.programs.all(), full_service=full_service
                ),
            )
        return self.page(organizations, export.organization_json)


class OrganizationDetail(HSDSView):
    def get(self, request, provider_id: str):
        full_service = self.flag("full_service")
        organization = selectors.provider_get(provider_id, full_service=full_service)
        if organization is None:
            return self.not_found("organization")
        return Response(
            export.organization_full_json(organization, organization.programs.all(), full_service=full_service)
        )


class ServiceAtLocationList(HSDSView):
    def get(self, request):
        full = self.flag("full")
        programs = selectors.services_filtered(self.service_filters(places=True), places_only=True)
        return self.page(programs, lambda program: export.service_at_location_json(program, full=full))


class ServiceAtLocationDetail(HSDSView):
    def get(self, request, service_at_location_id: str):
        program = selectors.service_at_location_get(service_at_location_id)
        if program is None:
            return self.not_found("service_at_location")
        return Response(export.service_at_location_json(program, full=True))


class TaxonomyList(HSDSView):
    def get(self, request):
        taxonomy = export.taxonomy_json()
        search = self.param("search").casefold()
        matching = (
            [taxonomy] if search in taxonomy["name"].casefold() or search in taxonomy["description"].casefold() else []
        )
        return self.page(matching, dict)


class TaxonomyDetail(HSDSView):
    def get(self, request, taxonomy_id: str):
        if taxonomy_id != export.TAXONOMY_ID:
            return self.not_found("taxonomy")
        return Response(export.taxonomy_json())


class TaxonomyTermList(HSDSView):
    def get(self, request):
        terms = Category.objects.order_by("name", "pk")
        if search := self.param("search"):
            terms = terms.filter(name__icontains=search)
        taxonomy_id, parent_id = self.param("taxonomy_id"), self.param("parent_id")
        self.flag("top_only")  # every term of ours is a top term: the filter keeps them all
        if (taxonomy_id and taxonomy_id != export.TAXONOMY_ID) or parent_id:
            terms = terms.none()  # our terms have no parents, and belong to our one taxonomy
        return self.page(terms, export.taxonomy_term_json)


class TaxonomyTermDetail(HSDSView):
    def get(self, request, taxonomy_term_id: str):
        category = selectors.category_get(taxonomy_term_id)
        if category is None:
            return self.not_found("taxonomy_term")
        return Response(export.taxonomy_term_json(category))
