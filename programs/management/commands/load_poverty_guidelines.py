"""Loads a year's HHS poverty guidelines from a file (default: the one shipped in programs/data/)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.errors import InvalidInput
from programs.services import DEFAULT_POVERTY_GUIDELINES, poverty_guidelines_read, poverty_guidelines_store


class Command(BaseCommand):
    help = (
        "Load the HHS poverty guidelines that income eligibility rules read, from a JSON file shaped like "
        "programs/data/poverty_guidelines.json (year, source, regions). Reads only the file."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT_POVERTY_GUIDELINES))

    def handle(self, *args, path, **options):
        try:
            rows = poverty_guidelines_read(Path(path))
        except InvalidInput as error:
            raise CommandError(error.message) from None
        created, updated = poverty_guidelines_store(rows)
        year = rows[0]["year"]
        regions = ", ".join(row["region"] for row in rows)
        self.stdout.write(f"Poverty guidelines {year} ({regions}): {created} created, {updated} updated.")
