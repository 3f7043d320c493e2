"""The organization admins' page: register, switch off and remove webhook endpoints, see recent deliveries."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .forms import EndpointForm
from .models import WebhookEndpoint
from .policies import webhook_organizations
from .selectors import endpoint_get_visible, endpoints_visible_to
from .services import (
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_rotate_secret,
    webhook_endpoint_set_active,
)

RECENT_DELIVERIES = 10


def _organizations_or_404(user):
    organizations = list(webhook_organizations(user))
    if not organizations:
        raise Http404("Only organization admins manage webhooks.")
    return organizations


@login_required
def endpoint_list(request):
    organizations = _organizations_or_404(request.user)
    form = EndpointForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        endpoint = webhook_endpoint_create(
            actor=request.user,
            organization=form.cleaned_data["organization"],
            url=form.cleaned_data["url"],
            description=form.cleaned_data["description"],
        )
        messages.success(request, "Endpoint registered. Give its signing secret to the receiving system.")
        return redirect("webhooks:detail", public_id=endpoint.public_id)
    return render(
        request, "webhooks/endpoint_list.html", {"endpoints": endpoints_visible_to(request.user), "form": form}
    )


def _endpoint(request, public_id) -> WebhookEndpoint:
    try:
        return endpoint_get_visible(user=request.user, public_id=public_id)
    except WebhookEndpoint.DoesNotExist:
        raise Http404 from None


@login_required
def endpoint_detail(request, public_id):
    endpoint = _endpoint(request, public_id)
    deliveries = endpoint.deliveries.order_by("-created_at", "-id")[:RECENT_DELIVERIES]
    return render(request, "webhooks/endpoint_detail.html", {"endpoint": endpoint, "deliveries": deliveries})


@login_required
@require_POST
def endpoint_action(request, public_id, action):
    endpoint = _endpoint(request, public_id)
    if action == "deactivate":
        webhook_endpoint_set_active(actor=request.user, endpoint=endpoint, active=False)
        messages.success(request, "Endpoint switched off. New events wait for it until it is switched on.")
    elif action == "activate":
        webhook_endpoint_set_active(actor=request.user, endpoint=endpoint, active=True)
        messages.success(request, "Endpoint switched on. Waiting events are sent within minutes.")
    elif action == "rotate":
        webhook_endpoint_rotate_secret(actor=request.user, endpoint=endpoint)
        messages.success(request, "New signing secret made. Deliveries from now on are signed with it.")
    elif action == "delete":
        webhook_endpoint_delete(actor=request.user, endpoint=endpoint)
        messages.success(request, "Endpoint removed.")
        return redirect("webhooks:list")
    else:
        raise Http404
    return redirect("webhooks:detail", public_id=endpoint.public_id)
