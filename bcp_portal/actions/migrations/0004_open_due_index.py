from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0003_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="action",
            index=models.Index(
                condition=models.Q(("status__in", ["open", "in_progress"])),
                fields=["owner", "due_date"],
                name="action_open_due_idx",
            ),
        ),
    ]
