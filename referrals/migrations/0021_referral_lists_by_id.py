"""Lists that gather the ids a user was granted read what they filter and sort those ids by from one covering index:
(id) INCLUDE (sent_at, status, status_reason, first_response_at, stall_due_at, closed_at, updated_at, program,
seeker) replaces ``referral_sent_at_by_id`` (the same key, covering sent_at only). Sent referrals' attention view
read each granted referral's table page for its status and times: 4,953 for the benchmark helper, its ids' query
42 -> 22 ms in EXPLAIN ANALYZE at a million referrals (issue 18, bench/NOTES.md, session 17); the API list reads the
index as before. Built and dropped CONCURRENTLY on PostgreSQL, so that writes go on; SQLite keeps no covering
indexes (Django leaves them out)."""

from django.db import migrations, models

from referrals_site.migration_operations import AddIndexConcurrentlyOnPostgreSQL, RemoveIndexConcurrentlyOnPostgreSQL


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("referrals", "0020_report_indexes_with_version"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="referral",
            index=models.Index(
                fields=["id"],
                include=[
                    "sent_at",
                    "status",
                    "status_reason",
                    "first_response_at",
                    "stall_due_at",
                    "closed_at",
                    "updated_at",
                    "program",
                    "seeker",
                ],
                name="referral_lists_by_id",
            ),
        ),
        RemoveIndexConcurrentlyOnPostgreSQL(model_name="referral", name="referral_sent_at_by_id"),
    ]
