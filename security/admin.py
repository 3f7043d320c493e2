from django.contrib import admin
from knox.models import AuthToken

from .models import ApiToken


class ApiTokenInline(admin.StackedInline):
    model = ApiToken
    fields = readonly_fields = ["public_id", "with_second_factor", "last_used"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


# knox registers its AuthToken with a form that makes tokens: tokens are issued by POST /api/v1/auth/token/ only
# (a knox token without our record beside it does not work), so network admins see and revoke (delete) them.
admin.site.unregister(AuthToken)


@admin.register(AuthToken)
class AuthTokenAdmin(admin.ModelAdmin):
    """Every API token (never the token itself: only its hash is kept); deleting one revokes it."""

    list_display = ["token_key", "user", "created", "expiry"]
    list_select_related = ["user"]
    search_fields = ["token_key", "user__email"]
    fields = readonly_fields = ["token_key", "user", "created", "expiry"]
    inlines = [ApiTokenInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
