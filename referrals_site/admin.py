"""Admin building blocks shared by the apps."""


class ReadOnlyAdminMixin:
    """Rows that only services write: shown in the admin, never added or edited there (outboxes: core.admin)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AppendOnlyAdminMixin(ReadOnlyAdminMixin):
    """Records that are never changed nor deleted (history, access records)."""

    def has_delete_permission(self, request, obj=None):
        return False
