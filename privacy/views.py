"""A seeker's data rights, for the organization's admins: who looked at the person, an export, erasure."""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from seekers import policies as seeker_policies
from seekers.models import Seeker

from .services import access_records_for_seeker, seeker_erase, seeker_export, seeker_is_erased

# --- data about a seeker (organization admins) -------------------------------------------------------------


def _seeker_for_admin(request, public_id):
    """The seeker, if the user may see it (else 404), and administers its organization (else 403)."""
    seeker = (
        Seeker.objects.restrict(request.user, "view").select_related("organization").filter(public_id=public_id).first()
    )
    if seeker is None:
        raise Http404
    seeker_policies.check(request.user, "see_access_records", seeker)
    return seeker


@login_required
def seeker_access(request, public_id):
    seeker = _seeker_for_admin(request, public_id)
    return render(
        request,
        "privacy/seeker_access.html",
        {
            "seeker": seeker,
            "records": access_records_for_seeker(seeker=seeker),
            "erased": seeker_is_erased(seeker),
        },
    )


@login_required
@require_POST
def seeker_export_view(request, public_id):
    seeker = _seeker_for_admin(request, public_id)
    data = seeker_export(actor=request.user, seeker=seeker, request=request)
    response = HttpResponse(json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="seeker-{seeker.public_id}.json"'
    return response


class EraseForm(forms.Form):
    confirm = forms.BooleanField(label="I understand that the person's details are removed for good.")


@login_required
@require_http_methods(["GET", "POST"])
def seeker_erase_view(request, public_id):
    seeker = _seeker_for_admin(request, public_id)
    form = EraseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        seeker_erase(actor=request.user, seeker=seeker, request=request)
        messages.success(request, "The person's details are erased. Their referrals remain, de-identified.")
        return redirect("privacy:seeker_access", public_id=seeker.public_id)
    return render(
        request, "privacy/seeker_erase.html", {"seeker": seeker, "form": form}, status=400 if form.errors else 200
    )
