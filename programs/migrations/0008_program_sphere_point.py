"""Each placed program's point on the unit sphere, indexed for nearest-first reads (issue 18).

A search by zip code at any distance sorted every program of the directory by its distance (the haversine, on
all 50,000 in the benchmark: ~45 ms). ``sphere_point`` is the program's latitude and longitude as a point of the
unit sphere (PostgreSQL's ``cube`` extension, trusted since PostgreSQL 13: the database's owner may create it),
computed by PostgreSQL from the coordinates (a generated column: every write of them keeps it right), and a GiST
index reads the programs nearest a point first (``<->``, the straight-line distance through the sphere, which
orders as the distance along it does: programs.selectors ``_compile``). Only on PostgreSQL; the model does not
name the column (Django never writes it), and the embedded default (SQLite) sorts by the haversine as before."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS cube",
    """ALTER TABLE programs_program ADD COLUMN sphere_point cube GENERATED ALWAYS AS (
        CASE WHEN latitude IS NULL OR longitude IS NULL THEN NULL
        ELSE cube(ARRAY[cos(radians(latitude)) * cos(radians(longitude)),
                        cos(radians(latitude)) * sin(radians(longitude)),
                        sin(radians(latitude))]) END) STORED""",
    "CREATE INDEX program_sphere_point ON programs_program USING gist (sphere_point)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS program_sphere_point",
    "ALTER TABLE programs_program DROP COLUMN IF EXISTS sphere_point",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("programs", "0007_slots")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
