"""EscalationStep joins the referrals app. Its table, rows included, was renamed to referrals_escalationstep by
notifications.0005_escalationstep_moves_to_referrals; here only Django's state learns where the model lives."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("referrals", "0003_referral_sent_at_by_id"),
        ("notifications", "0005_escalationstep_moves_to_referrals"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="EscalationStep",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("step", models.CharField(choices=[
                            ("claimer_reminder", "Reminder to the claimers"),
                            ("admin_escalation", "Escalated to the program's organization admins"),
                            ("referrer_escalation", "Escalated to the referrer"),
                            ("expired", "Closed as expired with no response"),
                            ("follow_up", "Seeker asked whether they got help")], max_length=24)),
                        ("taken_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("skipped", models.BooleanField(default=False, help_text=(
                            "A later step was already due, so this one was recorded without sending."))),
                        ("referral", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                       related_name="escalation_steps", to="referrals.referral")),
                    ],
                    options={
                        "ordering": ["taken_at"],
                        "constraints": [models.UniqueConstraint(fields=("referral", "step"),
                                                                name="one_escalation_step_per_referral")],
                    },
                ),
            ],
        ),
    ]
