"""Phones become E.164 (issue 14 item 1). Every stored number that reads as a real number in
``PHONE_DEFAULT_REGION`` is rewritten as E.164 ("(312) 555-0142" → "+13125550142"); one that does not
("111-111-1111", "call the front desk") is kept as it was and flagged ``phone_needs_check``: the profile asks a
helper to check it, and it is never texted. Reversing keeps the E.164 values (they are valid input) and drops
the flag."""

import phonenumbers
from django.conf import settings
from django.db import migrations, models


def to_e164(text: str, region: str) -> str | None:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phones_to_e164(apps, schema_editor):
    Seeker = apps.get_model("seekers", "Seeker")
    region = getattr(settings, "PHONE_DEFAULT_REGION", "US")
    for seeker_id, phone in Seeker._default_manager.exclude(phone="").values_list("pk", "phone").iterator():
        e164 = to_e164(phone, region)
        if e164 is None:
            Seeker._default_manager.filter(pk=seeker_id).update(phone_needs_check=True)
        elif e164 != phone:
            Seeker._default_manager.filter(pk=seeker_id).update(phone=e164)


class Migration(migrations.Migration):

    dependencies = [
        ("seekers", "0004_dedupe_extensions"),
    ]

    operations = [
        migrations.AddField(
            model_name="seeker",
            name="phone_needs_check",
            field=models.BooleanField(default=False, help_text="The number kept from before phones were validated could not be read: a helper should fix it. Never texted while set."),
        ),
        migrations.AlterField(
            model_name="seeker",
            name="phone",
            field=models.CharField(blank=True, help_text="E.164 (+13125550142); see core.phones.", max_length=30),
        ),
        migrations.RunPython(phones_to_e164, migrations.RunPython.noop),
    ]
