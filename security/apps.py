from django.apps import AppConfig


class SecurityConfig(AppConfig):
    """Sign-in and the session: second factors, session timeouts, the sign-in email, lockouts (django-axes'
    helpers), the admin's sign-in, and the security headers every response carries."""

    name = "security"
    verbose_name = "Sign-in and sessions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .middleware import start_session

        user_logged_in.connect(start_session, dispatch_uid="security.start_session")
        # A role change ends the person's API tokens; a new admin also signs in again, with a second factor.
        from accounts import signals as accounts_signals

        from .services import sign_ins_end_on_role_change

        accounts_signals.role_changed.connect(sign_ins_end_on_role_change, dispatch_uid="security.role_changed")

        from core import erasure

        from .services import erase_sign_in_logs

        # The sign-in logs that name an erased person (core.erasure).
        erasure.register(erase_sign_in_logs)
