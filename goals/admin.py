from django.contrib import admin

from .models import Goal


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ["title", "seeker", "organization", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["title", "seeker__first_name", "seeker__last_name"]
    list_select_related = ["seeker", "organization"]
    autocomplete_fields = ["seeker", "organization", "created_by"]
