from django.urls import path

from . import views

app_name = "security"
urlpatterns = [
    path("account/two-factor/", views.two_factor_overview, name="two_factor"),
    path("account/two-factor/enrol/", views.two_factor_enrol, name="two_factor_enrol"),
    path("account/two-factor/verify/", views.two_factor_verify, name="two_factor_verify"),
    path("account/two-factor/recovery-codes/", views.recovery_codes_regenerate, name="recovery_codes"),
    path("account/two-factor/disable/", views.two_factor_disable, name="two_factor_disable"),
    path("account/email/", views.email_change, name="email_change"),
    path("account/email/confirm/<str:token>/", views.email_confirm, name="email_confirm"),
]
