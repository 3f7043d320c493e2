"""Admin building blocks shared by the apps: read-only and append-only rows, and the shared admin of an outbox
channel (core.outbox)."""

from django.contrib import admin, messages

from . import outbox


class ReadOnlyAdminMixin:
    """Rows that only services write: shown in the admin, never added or edited there (outboxes: OutboxAdminMixin below)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AppendOnlyAdminMixin(ReadOnlyAdminMixin):
    """Records that are never changed nor deleted (history, access records)."""

    def has_delete_permission(self, request, obj=None):
        return False


class OutboxAdminMixin:
    """An outbox of messages to deliver: read-only (rows are written by the services), with the start of each
    row's last error and a "retry now" that sends the selected rows again through the delivery core.

    A channel's admin sets ``outbox_channel`` (its registered name), ``retry_statuses`` (which rows its
    "retry" offers to send again) and ``retry_message``, and declares the action with its own wording::

        @admin.action(description="Retry the selected failed messages")
        def retry(self, request, queryset):
            self.retry_now(request, queryset)
    """

    outbox_channel: str = ""
    retry_statuses: tuple[str, ...] = ("failed",)
    retry_message = "{count} row(s) queued again."

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="last error")
    def short_error(self, obj):
        return obj.last_error[:80]

    def retry_now(self, request, queryset) -> int:
        ids = queryset.filter(status__in=self.retry_statuses).values_list("pk", flat=True)
        count = outbox.retry_now(self.outbox_channel, ids)
        messages.success(request, self.retry_message.format(count=count))
        return count
