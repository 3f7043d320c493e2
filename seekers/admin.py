from django.contrib import admin

from .models import Seeker


@admin.register(Seeker)
class SeekerAdmin(admin.ModelAdmin):
    list_display = [
        "full_name",
        "organization",
        "zip_code",
        "preferred_language",
        "contact_preference",
        "last_activity_at",
    ]
    list_filter = ["preferred_language", "contact_preference", "organization"]
    search_fields = ["first_name", "last_name", "email", "phone", "zip_code"]
    list_select_related = ["organization"]
    autocomplete_fields = ["organization", "created_by", "team", "user"]
    readonly_fields = ["public_id", "created_at", "updated_at"]
