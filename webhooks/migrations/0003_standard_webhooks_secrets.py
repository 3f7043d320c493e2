# Secrets become Standard Webhooks secrets (whsec_ + base64 of the signing key). An existing secret keeps its
# key: the new secret carries the old secret's bytes, so the deprecated X-Referral-Signature header a receiver
# checks with the old secret still verifies, and the new webhook-signature verifies with the whsec_ form.

import base64
import secrets

from django.db import migrations, models

import webhooks.models


def to_standard_webhooks(apps, schema_editor):
    endpoint_model = apps.get_model("webhooks", "WebhookEndpoint")
    for endpoint in endpoint_model._default_manager.exclude(secret__startswith="whsec_").only("pk", "secret"):
        endpoint.secret = "whsec_" + base64.b64encode(endpoint.secret.encode()).decode()
        endpoint.save(update_fields=["secret"])


def to_plain(apps, schema_editor):
    endpoint_model = apps.get_model("webhooks", "WebhookEndpoint")
    for endpoint in endpoint_model._default_manager.filter(secret__startswith="whsec_").only("pk", "secret"):
        key = base64.b64decode(endpoint.secret.removeprefix("whsec_"))
        # A migrated secret gets its old form back; a secret made since has no old form: a new one.
        endpoint.secret = key.decode() if key.isascii() and key.isalnum() else secrets.token_hex(32)
        endpoint.save(update_fields=["secret"])


class Migration(migrations.Migration):

    dependencies = [
        ("webhooks", "0002_outbox_columns_from_core"),
    ]

    operations = [
        migrations.AlterField(
            model_name="webhookendpoint",
            name="secret",
            field=models.CharField(
                default=webhooks.models.new_secret, editable=False, max_length=128,
                help_text="Signs every delivery (Standard Webhooks, whsec_...). Share it only with the receiver."),
        ),
        migrations.RunPython(to_standard_webhooks, to_plain),
    ]
