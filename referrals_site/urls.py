from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("", include("seekers.urls")),
    path("", include("programs.urls")),
    path("", include("referrals.urls")),
    path("", include("goals.urls")),
    path("", include("notifications.urls")),
    path("", include("privacy.urls")),
]
