"""Admin building blocks shared by the apps."""

from django.contrib import admin


class ReadOnlyAdminMixin:
    """Rows that only services write (outboxes, deliveries): shown in the admin, never added or edited there."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AppendOnlyAdminMixin(ReadOnlyAdminMixin):
    """Records that are never changed nor deleted (history, access records)."""

    def has_delete_permission(self, request, obj=None):
        return False


class DeliveryQueueAdminMixin(ReadOnlyAdminMixin):
    """An outbox of messages to deliver: read-only, with the start of each one's last error."""

    @admin.display(description="last error")
    def short_error(self, obj):
        return obj.last_error[:80]
