from django.contrib import admin

from core.admin import AppendOnlyAdminMixin

from .models import AccessRecord, ApiToken


@admin.register(AccessRecord)
class AccessRecordAdmin(AppendOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the trail is append-only (a database trigger refuses changes and deletions)."""

    list_display = ["created_at", "actor_display", "action", "via", "seeker", "referral", "organization", "ip_address"]
    list_filter = ["action", "via"]
    list_select_related = ["seeker", "referral", "organization", "referral__program"]
    search_fields = ["public_id", "actor_display", "seeker__public_id", "referral__public_id"]
    show_full_result_count = False
    readonly_fields = [field.name for field in AccessRecord._meta.fields]

    def get_queryset(self, request):
        return AccessRecord.objects_across_tenants.all()


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Network admins see every API token (never the token itself: only its hash is kept) and can revoke one
    by deleting it. Tokens are issued by POST /api/v1/auth/token/ only."""

    list_display = ["token_key", "user", "created", "last_used", "expiry", "with_second_factor"]
    list_filter = ["with_second_factor"]
    list_select_related = ["user"]
    search_fields = ["token_key", "user__email"]
    fields = ["token_key", "user", "created", "last_used", "expiry", "with_second_factor"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
