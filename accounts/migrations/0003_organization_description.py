from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_interop_hsds_id"),
    ]

    operations = [
        migrations.AddField(
            model_name="organization",
            name="description",
            field=models.TextField(
                blank=True,
                help_text="What the organization does, as the public directory and its HSDS export show it.",
            ),
        ),
    ]
