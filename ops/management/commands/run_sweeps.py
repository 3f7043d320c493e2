"""``manage.py run_sweeps [--now TIME] [--only NAME]``: every periodic task of the beat, once, in-process."""

from django.core.management.base import BaseCommand, CommandError

from core.errors import InvalidInput
from core.tasks import sweep_clock
from ops import in_process as sweeps


class Command(BaseCommand):
    help = (
        "Runs every periodic task of the beat's schedule once, in this process, with the given clock, and "
        "prints one line per sweep. Idempotent, like the sweeps."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            help="the time the sweeps run at, ISO 8601 (2027-01-05T10:00; a time "
            "without a zone is in the site's); default: the current time",
        )
        parser.add_argument(
            "--only",
            metavar="NAME",
            help="run only this sweep (the names are listed by --help errors and in the README)",
        )

    def handle(self, *args, now=None, only=None, **options):
        moment = None
        if now is not None:
            try:
                moment = sweep_clock(now.strip())
            except ValueError:
                moment = None
            if moment is None:
                raise CommandError(
                    f"--now must be a time such as 2027-01-05T10:00 or 2027-01-05T10:00+00:00 "
                    f"(ISO 8601); {now!r} is not one."
                )
        try:
            results = sweeps.run(now=moment, only=only)
        except InvalidInput as error:
            raise CommandError(error.message) from None
        for name, text in results:
            self.stdout.write(f"{name}: {text}")
