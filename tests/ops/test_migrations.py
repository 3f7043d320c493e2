"""Every model change has its migration (a missing one would only show at deploy time)."""

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_the_models_and_their_migrations_agree():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exit_:
        pytest.fail(f"makemigrations --check found changes without a migration:\n{out.getvalue()} ({exit_})")
    assert "No changes detected" in out.getvalue()
