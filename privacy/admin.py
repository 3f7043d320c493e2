from django.contrib import admin

from core.admin import AppendOnlyAdminMixin

from .models import AccessRecord


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
