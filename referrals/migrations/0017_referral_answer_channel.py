"""The channel of the seeker's latest answer kept on the referral (``Referral.answer_channel``; referrals.channels),
filled from the history, and the organization report's two covering indexes rebuilt with it: the report read
it with a lookup in the history of each referral of its period (~2,700 lookups, ~7 ms of its statement at a
million referrals). The new indexes are built, and the old ones dropped, CONCURRENTLY on PostgreSQL, so that
writes go on; SQLite keeps no covering indexes (Django leaves them out)."""

from django.db import migrations, models
from django.db.models import Case, CharField, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

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
]


def fill(apps, schema_editor):
    """referrals.channels.refill_answer_channels as of this migration (the history's definition, written here
    with the historical models): the latest answer's channel, where a referral has one."""
    Referral = apps.get_model("referrals", "Referral")
    ReferralEvent = apps.get_model("referrals", "ReferralEvent")
    answers = (
        Q(to_status="got_help", reason="")
        | Q(to_status="not_completed", reason="couldnt_get_help")
        | Q(to_status="withdrawn", reason="no_longer_interested")
    )
    seeker = Q(detail__party="seeker")
    latest = (
        ReferralEvent._default_manager.filter(
            Q(kind="status_changed") & answers & Q(detail__party__in=["seeker", "referrer", "admin"]),
            referral_id=OuterRef("pk"),
        )
        .order_by("-created_at", "-id")
        .annotate(
            channel=Case(
                When(seeker & Q(via="email_link"), then=Value("email_link")),
                When(seeker & Q(via="text"), then=Value("text")),
                When(seeker, then=Value("signed_in")),
                default=Value("staff"),
                output_field=CharField(),
            )
        )
        .values("channel")[:1]
    )
    channel = Coalesce(Subquery(latest, output_field=CharField()), Value(""), output_field=CharField())
    differing = Referral._default_manager.annotate(looked_up=channel).exclude(answer_channel=F("looked_up")).values("pk")
    Referral._default_manager.filter(pk__in=differing).update(answer_channel=channel)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("referrals", "0016_scorecard_counts"),
    ]

    operations = [
        migrations.AddField(
            model_name="referral",
            name="answer_channel",
            field=models.CharField(blank=True, db_default="", default="", max_length=16),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="referral",
            index=models.Index(
                fields=["organization", "sent_at"],
                include=[column for column in COLUMNS if column != "organization"],
                name="referral_outbound_report",
            ),
        ),
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="referral",
            index=models.Index(
                fields=["program", "sent_at"],
                include=[column for column in COLUMNS if column != "program"],
                name="referral_inbound_report",
            ),
        ),
        RemoveIndexConcurrentlyOnPostgreSQL(model_name="referral", name="referral_outbound_figures"),
        RemoveIndexConcurrentlyOnPostgreSQL(model_name="referral", name="referral_inbound_figures"),
    ]
