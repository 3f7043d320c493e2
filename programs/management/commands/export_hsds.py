"""python manage.py export_hsds FILE: the whole directory as HSDS 3.0 JSON services, a JSON list."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from programs.hsds.export import service_json
from programs.hsds.selectors import services

PROGRESS_EVERY = 1000
CHUNK = 1000


class Command(BaseCommand):
    help = (
        "Export every program as an HSDS 3.0 JSON service (fully nested, with its organization), as one "
        "JSON list: what import_hsds, Open Referral's tools and other directories read. FILE '-' writes "
        "to standard output."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="where to write the JSON list ('-' for standard output)")
        parser.add_argument(
            "--progress-every",
            type=int,
            default=PROGRESS_EVERY,
            help=f"print a progress line to stderr every N services (default {PROGRESS_EVERY})",
        )

    def handle(self, *args, file, progress_every, **options):
        if progress_every < 1:
            raise CommandError("--progress-every must be at least 1")
        programs = services()
        total = programs.count()
        try:
            handle = sys.stdout if file == "-" else open(file, "w", encoding="utf-8")
        except OSError as error:
            raise CommandError(f"cannot write {file}: {error}") from None
        written = 0
        try:
            handle.write("[")
            for program in programs.iterator(chunk_size=CHUNK):
                handle.write(",\n" if written else "\n")
                handle.write(json.dumps(service_json(program), ensure_ascii=False))
                written += 1
                if written % progress_every == 0 or written == total:
                    self.stderr.write(f"services: {written}/{total} written")
                    self.stderr.flush()
            handle.write("\n]\n")
        finally:
            if handle is not sys.stdout:
                handle.close()
        if file != "-":
            self.stdout.write(self.style.SUCCESS(f"{written} services written to {file}"))
