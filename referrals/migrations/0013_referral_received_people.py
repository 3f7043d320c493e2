"""A covering index (program) INCLUDE (seeker, status, updated_at, consent, id): a provider's People I'm Helping
groups the referrals to the claimer's programs by seeker from the index alone (issue 15: 183 -> ~25 ms for a
claimer of 20,053 referrals at a million). Built CONCURRENTLY on PostgreSQL so that writes go on; SQLite keeps
no covering indexes (Django leaves it out)."""

from django.db import migrations, models

from referrals_site.migration_operations import AddIndexConcurrentlyOnPostgreSQL


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("referrals", "0012_slots"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="referral",
            index=models.Index(
                fields=["program"],
                include=["seeker", "status", "updated_at", "consent_given_at", "consent_withdrawn_at", "id"],
                name="referral_received_people",
            ),
        ),
    ]
