"""A partial covering index of the seeker's answers in the history: (referral, newest first) INCLUDE (via,
detail) WHERE the line is one of the seeker's answers (referrals.models.seeker_answer_q). The reports find the
latest answer of every referral of a period (referrals.channels.answer_channel): through the index of all history
lines, each referral cost a read of its ~4 lines; here a referral without an answer (4 in 5) costs one probe that
finds nothing, and an answer is read from the index alone (issue 18: the organization report's statement at a
million referrals, ~39 -> ~30 ms). Built CONCURRENTLY on PostgreSQL so that writes go on; SQLite keeps no
covering indexes (Django leaves it out)."""

from django.db import migrations, models

from referrals_site.migration_operations import AddIndexConcurrentlyOnPostgreSQL


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("referrals", "0013_referral_received_people"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="referralevent",
            index=models.Index(
                condition=models.Q(
                    ("kind", "status_changed"),
                    models.Q(
                        models.Q(("reason", ""), ("to_status", "got_help")),
                        models.Q(("reason", "couldnt_get_help"), ("to_status", "not_completed")),
                        models.Q(("reason", "no_longer_interested"), ("to_status", "withdrawn")),
                        _connector="OR",
                    ),
                    ("detail__party__in", ["seeker", "referrer", "admin"]),
                ),
                fields=["referral", "-created_at", "-id"],
                include=("via", "detail"),
                name="event_seeker_answer",
            ),
        ),
    ]
