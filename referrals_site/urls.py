from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("hsds/", include("programs.hsds.urls")),
    path("api/v1/hsds/", include("programs.hsds.legacy_urls")),
    path("fhir/", include("fhir_api.urls")),
    path("", include("webhooks.urls")),
    path("", include("accounts.urls")),
    path("", include("organization.urls")),
    path("", include("people.urls")),
    path("", include("people.urls_programs")),
    path("", include("find.urls")),
    path("", include("seeker_door.urls")),  # before referrals: /my/referrals/ is the seeker door's
    path("", include("referrals.urls")),
    path("", include("people.urls_goals")),
    path("", include("notifications.urls")),
    path("", include("sms.urls")),
    path("api/v1/", include("api.urls")),
    path("", include("api.schema_urls")),
    path("", include("referrals.urls_exports")),
    path("reports/", include("reports.urls")),
    path("", include("ops.urls")),
    path("", include("security.urls")),
    path("", include("privacy.urls")),
]

handler403 = "referrals_site.errors.permission_denied"
handler404 = "referrals_site.errors.page_not_found"
handler500 = "referrals_site.errors.server_error"
