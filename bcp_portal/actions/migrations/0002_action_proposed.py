from django.db import migrations, models

STATUSES = [
    ("proposed", "Proposed"),
    ("open", "Open"),
    ("in_progress", "In progress"),
    ("done", "Done"),
    ("cancelled", "Cancelled"),
]


class Migration(migrations.Migration):
    dependencies = [("actions", "0001_initial")]

    operations = [
        migrations.AlterField(
            model_name="action",
            name="status",
            field=models.CharField(choices=STATUSES, default="open", max_length=16),
        ),
        migrations.AlterField(
            model_name="historicalaction",
            name="status",
            field=models.CharField(choices=STATUSES, default="open", max_length=16),
        ),
    ]
