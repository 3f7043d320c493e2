from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self):
        from django.db.models.signals import post_migrate
        from django.test.signals import setting_changed

        from . import addresses, erasure, jinja2, outbox, statements

        # Statements kept by core.statements are compiled again after migrate or flush (tests).
        post_migrate.connect(statements.forget_all, dispatch_uid="core.statements.forget_all")

        # Addresses kept by core.addresses are worked out again when a test changes ROOT_URLCONF.
        setting_changed.connect(addresses.forget_all, dispatch_uid="core.addresses.forget_all")

        # Renderings kept by core.jinja2.keep are made again after any change of settings (tests).
        setting_changed.connect(jinja2.forget_kept, dispatch_uid="core.jinja2.forget_kept")

        # Every outbox channel that declares its personal columns is reached by erasure (core.outbox).
        erasure.register(outbox.erase_person, name="core.outbox")
