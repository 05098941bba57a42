from django.db import migrations

ROLES = ["SRE", "SRE Lead", "Engineering Manager", "CTO", "DPO", "Legal Counsel", "Auditor"]


def forwards(apps, schema_editor):
    db = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    User = apps.get_model("auth", "User")
    for name in ROLES:
        Group.objects.using(db).get_or_create(name=name)
    User.objects.using(db).get_or_create(
        username="system",
        defaults={"is_active": False, "first_name": "System", "password": "!"},
    )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
