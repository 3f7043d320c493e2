"""EscalationStep is referral workflow state: the model moves to the referrals app, its rows stay.

The table is renamed (notifications_escalationstep -> referrals_escalationstep) with every row, id and
constraint kept; referrals.0004_escalationstep_from_notifications then takes the model over in Django's state
without touching the database.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0004_member_added_kind"),
        ("referrals", "0003_referral_sent_at_by_id"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name="escalationstep", table="referrals_escalationstep"),
            ],
            state_operations=[
                migrations.DeleteModel(name="EscalationStep"),
            ],
        ),
    ]
