from django.contrib import admin

from core.admin import OutboxAdminMixin

from .models import OutboxMessage
from .services import EMAIL_CHANNEL


@admin.register(OutboxMessage)
class OutboxMessageAdmin(OutboxAdminMixin, admin.ModelAdmin):
    """Read-only: rows are written by the services. Failed rows can be sent again with "retry"."""

    list_display = ["created_at", "kind", "recipient_email", "language", "status", "attempts", "sent_at", "short_error"]
    list_filter = ["status", "kind", "language"]
    search_fields = ["recipient_email", "key", "subject", "referral__public_id"]
    actions = ["retry"]
    outbox_channel = EMAIL_CHANNEL
    retry_statuses = (OutboxMessage.Status.FAILED,)
    retry_message = "{count} failed message(s) queued again (others were not failed)."
    show_full_result_count = False
    fields = [
        "public_id",
        "key",
        "kind",
        "referral",
        "recipient_email",
        "recipient_user",
        "recipient_seeker",
        "language",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "lease_until",
        "sent_at",
        "subject",
        "body_text",
        "body_html",
    ]
    readonly_fields = fields

    @admin.action(description="Retry the selected failed messages")
    def retry(self, request, queryset):
        self.retry_now(request, queryset)
