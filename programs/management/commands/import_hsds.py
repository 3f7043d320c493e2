"""python manage.py import_hsds PATH: upsert an Open Referral (HSDS) directory into the program directory."""

from django.core.management.base import BaseCommand, CommandError

from programs.hsds.services import PROGRESS_EVERY, ImportPathError, hsds_import


class Command(BaseCommand):
    help = (
        "Import programs from Open Referral HSDS data: an HSDS 3.0 or 1.1 tabular data package folder "
        "(CSV files + datapackage.json), a folder of HSDS 3.0 JSON files, or one JSON file. Safe to run "
        "again: unchanged services are left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="a data package folder, a folder of JSON files, or a .json file")
        parser.add_argument(
            "--progress-every",
            type=int,
            default=PROGRESS_EVERY,
            help=f"print a progress line to stderr every N rows (default {PROGRESS_EVERY})",
        )

    def handle(self, *args, path, progress_every, **options):
        if progress_every < 1:
            raise CommandError("--progress-every must be at least 1")

        def progress(message: str) -> None:
            self.stderr.write(message)
            self.stderr.flush()

        try:
            report = hsds_import(path=path, progress=progress, progress_every=progress_every)
        except ImportPathError as error:
            raise CommandError(str(error)) from None
        for problem in report.rejected:
            self.stdout.write(f"rejected  {problem}")
        for problem in report.warnings:
            self.stdout.write(f"warning   {problem}")
        if report.organizations_created or report.organizations_updated:
            self.stdout.write(
                f"Organizations: {report.organizations_created} created, {report.organizations_updated} updated"
            )
        style = self.style.WARNING if report.rejected else self.style.SUCCESS
        self.stdout.write(style(f"Services: {report.summary()}"))
