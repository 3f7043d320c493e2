"""GET /api/v1/hsds/services/ (and /{id}/): the directory as HSDS 3.0 JSON, paged as the HSDS API pages.

Signed-in users only (token or session, like the rest of the API); the directory is shared, so every
signed-in user sees every program.
"""

from __future__ import annotations

import uuid

from django.core.paginator import Paginator
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from programs.selectors import directory

from .export import service_json

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100


def _positive_int(value: str | None, default: int) -> int | None:
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except ValueError:
        return None
    return number if number >= 1 else None


class ServiceList(APIView):
    @extend_schema(
        operation_id="hsds_services_list",
        summary="The directory as HSDS 3.0 JSON services, in HSDS API pages",
        parameters=[OpenApiParameter("page", int), OpenApiParameter("per_page", int)],
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        page_number = _positive_int(request.query_params.get("page"), 1)
        per_page = _positive_int(request.query_params.get("per_page"), DEFAULT_PER_PAGE)
        if page_number is None or per_page is None:
            return Response({"detail": "page and per_page must be whole numbers of at least 1."}, status=400)
        per_page = min(per_page, MAX_PER_PAGE)
        programs = directory().select_related("organization").prefetch_related("categories").order_by("name", "pk")
        paginator = Paginator(programs, per_page, allow_empty_first_page=True)
        total_pages = paginator.num_pages
        if page_number > total_pages:
            contents = []
        else:
            contents = [service_json(program) for program in paginator.page(page_number).object_list]
        return Response({
            "total_items": paginator.count,
            "total_pages": total_pages,
            "page_number": page_number,
            "size": len(contents),
            "first_page": page_number == 1,
            "last_page": page_number >= total_pages,
            "empty": not contents,
            "contents": contents,
        })


class ServiceDetail(APIView):
    @extend_schema(
        operation_id="hsds_services_retrieve",
        summary="One HSDS 3.0 JSON service, by its HSDS id (or our id for programs not imported)",
        responses={200: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT},
    )
    def get(self, request, service_id: str):
        condition = Q(hsds_id=service_id)
        try:
            condition |= Q(public_id=uuid.UUID(service_id), hsds_id__isnull=True)
        except ValueError:
            pass
        program = (directory().select_related("organization").prefetch_related("categories")
                   .filter(condition).first())
        if program is None:
            return Response({"detail": "No such service."}, status=404)
        return Response(service_json(program))
