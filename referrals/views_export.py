"""The CSV export of an organization's referrals, for its admins in the browser (the API's
``/api/v1/exports/referrals.csv`` serves the same lines, api.views.ReferralExport)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest, HttpResponseNotFound, StreamingHttpResponse
from django.views.decorators.http import require_GET

from core.errors import InvalidInput, NotFound
from privacy.models import AccessRecord

from . import exports


def csv_response(request, organization, *, via: str) -> StreamingHttpResponse:
    """The export of ``organization`` streamed as a download, recording an "exported" access record for each
    referral (``via``: the page or the API)."""
    lines = exports.referral_csv_lines(user=request.user, organization=organization, request=request, via=via)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{exports.export_filename(organization)}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@login_required
def referral_export(request):
    """GET /exports/referrals.csv[?organization=<uuid>]: 403 for anyone but an organization admin."""
    try:
        organization = exports.export_organization_for(request.user, request.GET.get("organization") or None)
    except InvalidInput as error:
        return HttpResponseBadRequest(error.message, content_type="text/plain; charset=utf-8")
    except NotFound as error:
        return HttpResponseNotFound(error.message, content_type="text/plain; charset=utf-8")
    return csv_response(request, organization, via=AccessRecord.Via.WEB)
