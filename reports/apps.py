from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"

    def ready(self):
        from django.db.backends.signals import connection_created

        from .aggregates import install_sqlite_percentile

        connection_created.connect(install_sqlite_percentile, dispatch_uid="reports.sqlite_percentile")
