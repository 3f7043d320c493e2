"""The CSV export for signed-in organization admins in the browser (the API serves the same lines)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.views.decorators.http import require_GET
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.exceptions import ValidationError

from privacy.models import AccessRecord

from .views import csv_response, export_organization


@require_GET
@login_required
def referral_export(request):
    """GET /exports/referrals.csv[?organization=<uuid>]: 403 for anyone but an organization admin."""
    organization_id = request.GET.get("organization") or None
    try:
        organization = export_organization(request.user, organization_id)
    except ApiPermissionDenied as error:
        raise PermissionDenied(str(error.detail)) from None
    except ValidationError as error:
        return HttpResponseBadRequest(" ".join(str(m) for m in error.detail.get("organization", [])),
                                      content_type="text/plain; charset=utf-8")
    return csv_response(request, organization, via=AccessRecord.Via.WEB)
