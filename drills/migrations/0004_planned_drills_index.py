from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("drills", "0003_indexes"),
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
