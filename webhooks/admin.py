from django.contrib import admin

from core.admin import OutboxAdminMixin

from .models import WebhookDelivery, WebhookEndpoint
from .services import WEBHOOKS


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "organization", "active", "created_at", "created_by"]
    list_filter = ["active"]
    search_fields = ["url", "organization__name", "description"]
    fields = ["organization", "url", "description", "active", "created_by", "created_at", "public_id"]
    readonly_fields = ["created_by", "created_at", "public_id"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(OutboxAdminMixin, admin.ModelAdmin):
    """Read-only: rows are written by the services. Failed rows can be sent again with "retry"."""

    list_display = [
        "created_at",
        "event_type",
        "endpoint",
        "status",
        "attempts",
        "last_response_status",
        "next_attempt_at",
        "short_error",
    ]
    list_filter = ["status", "event_type"]
    search_fields = ["event_id", "key", "endpoint__url", "endpoint__organization__name"]
    list_select_related = ["endpoint"]
    actions = ["retry"]
    outbox_channel = WEBHOOKS.name
    retry_statuses = (WebhookDelivery.Status.FAILED, WebhookDelivery.Status.PENDING)
    retry_message = "{count} delivery(ies) queued again (delivered ones are left alone)."
    show_full_result_count = False
    fields = [
        "public_id",
        "key",
        "event_id",
        "event_type",
        "organization",
        "endpoint",
        "referral",
        "status",
        "attempts",
        "last_response_status",
        "last_error",
        "created_at",
        "next_attempt_at",
        "lease_until",
        "delivered_at",
        "body",
    ]
    readonly_fields = fields

    @admin.action(description="Send the selected failed or waiting deliveries again")
    def retry(self, request, queryset):
        self.retry_now(request, queryset)
