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
        # A new admin signs in again, with a second factor: sessions that began without one end on commit.
        from accounts import signals as accounts_signals

        from .services import sessions_end_on_promotion

        accounts_signals.admin_promoted.connect(sessions_end_on_promotion, dispatch_uid="security.admin_promoted")

        from core import erasure

        from .services import erase_sign_in_logs

        # The sign-in logs that name an erased person (core.erasure).
        erasure.register(erase_sign_in_logs)
