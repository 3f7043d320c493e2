"""The development server, which also runs the beat's sweeps when SWEEPS_IN_PROCESS_SECONDS says so.

``make run`` has no Redis and so no beat: without this, nobody would see a referral escalate or expire in a
demo left open. Only development settings set SWEEPS_IN_PROCESS_SECONDS (60 without REDIS_URL). The loop
starts in ``inner_run``, which runs in the process that serves: under the autoreloader that is the child it
restarts on every change, never the watching parent, so there is one loop per serving process.
"""

from django.conf import settings
from django.contrib.staticfiles.management.commands.runserver import Command as StaticfilesRunserver

from ops import in_process as sweeps


class Command(StaticfilesRunserver):
    def inner_run(self, *args, **options):
        every = getattr(settings, "SWEEPS_IN_PROCESS_SECONDS", 0)
        if every and sweeps.start_loop(every=every):
            self.stdout.write(
                f"Running the beat's sweeps in this process every {every} seconds "
                "(SWEEPS_IN_PROCESS_SECONDS; manage.py run_sweeps runs them by hand)."
            )
        super().inner_run(*args, **options)
