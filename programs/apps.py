from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "programs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from accounts import policies as accounts_policies
        from accounts import signals as accounts_signals

        from . import policies, services

        accounts_policies.register_role_source("programs.claimer", policies.claimer_roles)

        # Someone who left an organization no longer claims its programs (nor receives their referrals).
        accounts_signals.member_removed.connect(
            services.member_removed_received, dispatch_uid="programs.member_removed"
        )
