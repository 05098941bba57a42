from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("drills", "0004_history_admin_source_client_request_id"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="drill",
            index=models.Index(
                condition=models.Q(("status", "planned")),
                fields=["starts_at", "id"],
                name="drill_planned_starts_idx",
            ),
        ),
    ]
