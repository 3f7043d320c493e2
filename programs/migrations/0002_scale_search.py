"""Keyword search: a stored search document on each program and, on PostgreSQL, a GIN index over it.

The column is computed by the database (GENERATED ALWAYS ... STORED), so every write path keeps it current.
Adding it rewrites the programs table once; the index is then built CONCURRENTLY so that writes go on.
Other databases get no index: their keyword search falls back to icontains (programs.selectors).
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations, models

import programs.search
from referrals_site.migration_operations import AddIndexConcurrentlyOnPostgreSQL


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("programs", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="program",
            name="search_document",
            field=models.GeneratedField(
                db_persist=True,
                expression=programs.search.SearchDocument(),
                output_field=django.contrib.postgres.search.SearchVectorField(),
            ),
        ),
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="program",
            index=django.contrib.postgres.indexes.GinIndex(fields=["search_document"], name="program_search_document"),
        ),
    ]
