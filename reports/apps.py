from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"

    def ready(self):
        from django.db.backends.signals import connection_created

        from referrals import events

        from .aggregates import install_sqlite_percentile
        from .ahead import referral_changed

        connection_created.connect(install_sqlite_percentile, dispatch_uid="reports.sqlite_percentile")
        # After a change commits, the watched organization reports it touches are counted ahead (reports.ahead).
        events.subscribe(
            events.HISTORY_EVENT, referral_changed, phase=events.Phase.ON_COMMIT, name="reports.count_ahead"
        )
