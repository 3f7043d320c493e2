"""The organization report's two covering indexes rebuilt with each referral's ``version``: a report's figures are
kept while the referrals they are made of are unchanged, and every view checks that by the count and the sums of
the ids and versions of the period's referrals (reports.selectors.KeptFigures), read from these indexes only.
Built, and the old ones dropped, CONCURRENTLY on PostgreSQL, so that writes go on; SQLite keeps no covering
indexes (Django leaves them out)."""

from django.db import migrations, models

from referrals_site.migration_operations import AddIndexConcurrentlyOnPostgreSQL, RemoveIndexConcurrentlyOnPostgreSQL

COLUMNS = [
    "id",
    "public_id",
    "status",
    "status_reason",
    "seeker_outcome",
    "program_outcome",
    "organization",
    "program",
    "referred_by",
    "referred_by_team",
    "first_response_at",
    "closed_at",
    "stall_due_at",
    "answer_channel",
    "version",
]


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("referrals", "0019_inbound_page_index"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="referral",
            index=models.Index(
                fields=["organization", "sent_at"],
                include=[column for column in COLUMNS if column != "organization"],
                name="referral_sent_report",
            ),
        ),
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="referral",
            index=models.Index(
                fields=["program", "sent_at"],
                include=[column for column in COLUMNS if column != "program"],
                name="referral_received_report",
            ),
        ),
        RemoveIndexConcurrentlyOnPostgreSQL(model_name="referral", name="referral_outbound_report"),
        RemoveIndexConcurrentlyOnPostgreSQL(model_name="referral", name="referral_inbound_report"),
    ]
