from django.contrib import admin

from core.admin import OutboxAdminMixin

from .models import TextMessage
from .services import SMS_CHANNEL


@admin.register(TextMessage)
class TextMessageAdmin(OutboxAdminMixin, admin.ModelAdmin):
    """Read-only: rows are written by the services. Failed rows can be sent again with "retry"."""

    list_display = [
        "created_at",
        "kind",
        "to_number",
        "language",
        "status",
        "attempts",
        "sent_at",
        "provider_status",
        "short_error",
    ]
    list_filter = ["status", "kind", "language"]
    search_fields = ["to_number", "key", "provider_id", "referral__public_id"]
    actions = ["retry"]
    outbox_channel = SMS_CHANNEL
    retry_statuses = (TextMessage.Status.FAILED,)
    retry_message = "{count} failed text(s) queued again (others were not failed)."
    show_full_result_count = False
    fields = [
        "public_id",
        "key",
        "kind",
        "referral",
        "recipient_seeker",
        "to_number",
        "language",
        "encoding",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "lease_until",
        "sent_at",
        "provider_id",
        "provider_status",
        "provider_error_code",
        "body",
    ]
    readonly_fields = fields

    @admin.action(description="Retry the selected failed texts")
    def retry(self, request, queryset):
        self.retry_now(request, queryset)
