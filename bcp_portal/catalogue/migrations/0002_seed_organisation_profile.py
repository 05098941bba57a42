from django.db import migrations


def forwards(apps, schema_editor):
    """The runbook's recovery objectives: RTO 4 h / 24 h, RPO 1 h / 4 h, 99.9 % / 99.5 %."""
    Profile = apps.get_model("catalogue", "OrganisationProfile")
    db = schema_editor.connection.alias
    if not Profile.objects.using(db).exists():
        Profile.objects.using(db).create(
            rto_target_minutes=240, rto_max_minutes=1440, rpo_target_minutes=60,
            rpo_max_minutes=240, availability_target="99.900", availability_min="99.500",
        )


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
