"""People I'm Helping sorts on Seeker.last_activity_at, which the referral services now keep at the latest
change to any of the seeker's referrals. This brings existing rows up to that rule once."""

from django.db import migrations

FORWARD = """
UPDATE seekers_seeker AS seeker
   SET last_activity_at = latest.at
  FROM (SELECT seeker_id, MAX(GREATEST(updated_at, sent_at)) AS at
          FROM referrals_referral GROUP BY seeker_id) AS latest
 WHERE latest.seeker_id = seeker.id AND latest.at > seeker.last_activity_at
"""


def backfill(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        Seeker = apps.get_model("seekers", "Seeker")
        Referral = apps.get_model("referrals", "Referral")
        from django.db.models import Max

        latest = (Referral._default_manager.order_by().values("seeker_id")
                  .annotate(at=Max("updated_at"), sent=Max("sent_at")))
        for row in latest:
            at = max(row["at"], row["sent"])
            Seeker._default_manager.filter(pk=row["seeker_id"], last_activity_at__lt=at).update(last_activity_at=at)
        return
    schema_editor.execute(FORWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("seekers", "0001_initial"),
        ("referrals", "0001_initial"),
    ]
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
