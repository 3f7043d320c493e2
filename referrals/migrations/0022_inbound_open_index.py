"""Each program's open referrals in Inbound Referrals' order: (program, urgent first, sent_at, id) INCLUDE (urgency)
WHERE closed_at IS NULL. The page's first rows are then the first entries of each program the claimer works
(core.pagination.ids_by_parts), where they were every open referral of those programs, read and sorted: the
benchmark claimer's 4,463, 2.7 -> 0.2 ms in EXPLAIN ANALYZE (issue 18, bench/NOTES.md, session 19). Built
CONCURRENTLY on PostgreSQL, so that writes go on; SQLite, which reads the list as one query, has no need of it."""

from django.db import migrations, models

from referrals_site.migration_operations import AddIndexConcurrentlyOnPostgreSQL


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("referrals", "0021_referral_lists_by_id"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="referral",
            index=models.Index(
                models.F("program"),
                models.Case(
                    models.When(urgency="urgent", then=models.Value(0)),
                    default=models.Value(1),
                    output_field=models.IntegerField(),
                ),
                models.F("sent_at"),
                models.F("id"),
                condition=models.Q(closed_at__isnull=True),
                include=("urgency",),
                name="referral_inbound_open",
            ),
        ),
    ]
