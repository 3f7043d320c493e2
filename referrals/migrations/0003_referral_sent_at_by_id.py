"""A covering index (id) INCLUDE (sent_at): the newest of a user's granted referrals without reading each one.

Built CONCURRENTLY on PostgreSQL so that writes go on; SQLite keeps no covering indexes (Django leaves it out).
"""

from django.db import migrations, models

from referrals_site.migration_operations import AddIndexConcurrentlyOnPostgreSQL


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("referrals", "0002_security_protect_history"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="referral",
            index=models.Index(fields=["id"], include=["sent_at"], name="referral_sent_at_by_id"),
        ),
    ]
