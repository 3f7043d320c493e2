"""PostgreSQL's unaccent and pg_trgm, for finding the same person before a second profile is made (issue 19
item 3: "Jose" finds "José", "Jon Smith" finds "John Smith"). Nothing on SQLite: seekers.selectors compares
the names in Python there."""

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("seekers", "0003_seeker_identifier"),
    ]

    operations = [
        UnaccentExtension(),
        TrigramExtension(),
    ]
