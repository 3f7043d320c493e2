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


@pytest.mark.django_db(transaction=True)
def test_moving_escalation_steps_to_the_referrals_app_keeps_every_row(network):
    """notifications.0005 and referrals.0004 move EscalationStep between apps: the rows taken before the move
    (which stop a step from being taken twice) are the same rows after it, and after going back again."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from referrals.models import EscalationStep

    before = [("notifications", "0004_member_added_kind"), ("referrals", "0003_referral_sent_at_by_id")]
    after = [
        ("notifications", "0005_escalationstep_moves_to_referrals"),
        ("referrals", "0004_escalationstep_from_notifications"),
    ]
    referral = network.refer()
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        executor.loader.build_graph()
        old_model = executor.loader.project_state(before).apps.get_model("notifications", "EscalationStep")
        assert old_model._meta.db_table == "notifications_escalationstep"
        old_model.objects.create(referral_id=referral.pk, step="claimer_reminder", skipped=True)
        old_model.objects.create(referral_id=referral.pk, step="admin_escalation")
        rows = sorted(old_model.objects.values_list("pk", "referral_id", "step", "skipped"))

        executor = MigrationExecutor(connection)
        executor.migrate(after)
        assert sorted(EscalationStep.objects.values_list("pk", "referral_id", "step", "skipped")) == rows
        # The constraint came along: the same step cannot be taken twice.
        from django.db import IntegrityError, transaction

        with pytest.raises(IntegrityError), transaction.atomic():
            EscalationStep.objects.create(referral_id=referral.pk, step="claimer_reminder")

        executor = MigrationExecutor(connection)
        executor.migrate(before)  # and back: the rows return to the old table
        executor.loader.build_graph()
        old_model = executor.loader.project_state(before).apps.get_model("notifications", "EscalationStep")
        assert sorted(old_model.objects.values_list("pk", "referral_id", "step", "skipped")) == rows
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_open_becomes_not_closed_and_rows_written_by_hand_are_mended(network):
    """referrals.0018 says "open" as closed_at IS NULL in the one-open-referral index and checks that closed_at
    is set exactly when the status is closed: rows that disagreed before (written by hand, not by the services)
    are mended on the way, and the constraint holds after it."""
    from django.db import IntegrityError, connection, transaction
    from django.db.migrations.executor import MigrationExecutor
    from django.utils import timezone

    from referrals.models import Referral

    closed, reopened = network.refer(), network.refer(program=network.other_program)
    executor = MigrationExecutor(connection)
    executor.migrate([("referrals", "0017_referral_answer_channel")])
    try:
        rows = Referral.objects_across_tenants
        rows.filter(pk=closed.pk).update(status="declined", status_reason="no_capacity", closed_at=None)
        rows.filter(pk=reopened.pk).update(status="accepted", closed_at=timezone.now())
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

        closed.refresh_from_db()
        reopened.refresh_from_db()
        assert closed.closed_at == closed.updated_at  # its last change's time
        assert reopened.closed_at is None
        with pytest.raises(IntegrityError), transaction.atomic():
            rows.filter(pk=reopened.pk).update(closed_at=timezone.now())
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
