"""Inbound Referrals chooses its page from an index only: (program, status, sent_at) INCLUDE (urgency, id)
replaces ``referral_inbound`` (the same key, uncovered). Choosing a claimer's first page (urgent first, then the
oldest) read each open referral's table page for its urgency: 18,844 pages for a claimer of 20,053 referrals, the
page's query 15.8 -> 5.4 ms in EXPLAIN ANALYZE (issue 18, bench/NOTES.md, session 12). Built and dropped
CONCURRENTLY on PostgreSQL, so that writes go on; SQLite keeps no covering indexes (Django leaves them out)."""

from django.db import migrations, models

from referrals_site.migration_operations import AddIndexConcurrentlyOnPostgreSQL, RemoveIndexConcurrentlyOnPostgreSQL


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("referrals", "0018_open_is_not_closed"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="referral",
            index=models.Index(
                fields=["program", "status", "sent_at"], include=["urgency", "id"], name="referral_inbound_page"
            ),
        ),
        RemoveIndexConcurrentlyOnPostgreSQL(model_name="referral", name="referral_inbound"),
    ]
