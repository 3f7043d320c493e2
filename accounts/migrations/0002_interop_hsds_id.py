from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="organization",
            name="hsds_id",
            field=models.CharField(
                blank=True, max_length=255, null=True, unique=True,
                help_text="The organization's id in an imported Open Referral (HSDS) directory.",
            ),
        ),
    ]
