# The outbox columns now come from core.models.OutboxRow: the same columns, one shared help text (no SQL).

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('webhooks', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='webhookdelivery',
            name='next_attempt_at',
            field=models.DateTimeField(default=django.utils.timezone.now, help_text='When it is due; the sweep queues a pending row again some time after.'),
        ),
    ]
