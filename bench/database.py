"""The benchmark database: created when missing (every benchmark runs against its own, named by DATABASE_URL)."""

from __future__ import annotations

import os


def ensure_database(url: str | None = None) -> None:
    """Creates the PostgreSQL database ``url`` (default: ``DATABASE_URL``) names, unless it exists."""
    import dj_database_url
    import psycopg2

    config = dj_database_url.parse(url or os.environ["DATABASE_URL"])
    connection = psycopg2.connect(
        host=config["HOST"],
        port=config["PORT"] or 5432,
        user=config["USER"],
        password=config["PASSWORD"] or None,
        dbname="postgres",
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{config["NAME"]}"')
    connection.close()
