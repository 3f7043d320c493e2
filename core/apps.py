from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self):
        from . import erasure, outbox

        # Every outbox channel that declares its personal columns is reached by erasure (core.outbox).
        erasure.register(outbox.erase_person, name="core.outbox")
