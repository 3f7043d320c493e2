from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="SweepHeartbeat",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("task", models.CharField(help_text="The Celery task the beat schedules.", max_length=200, unique=True)),
                ("finished_at", models.DateTimeField()),
            ],
        ),
    ]
