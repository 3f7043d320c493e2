from accounts.policies import admin_organization_ids

from .models import WebhookEndpoint


def endpoints_visible_to(user):
    """The endpoints of the organizations ``user`` administers (only admins see webhooks)."""
    return (
        WebhookEndpoint.objects.for_organizations(admin_organization_ids(user))
        .select_related("organization")
        .order_by("organization__name", "created_at")
    )


def endpoint_get_visible(*, user, public_id) -> WebhookEndpoint:
    """Raises WebhookEndpoint.DoesNotExist for another organization's endpoint, as for a missing one."""
    return endpoints_visible_to(user).get(public_id=public_id)
