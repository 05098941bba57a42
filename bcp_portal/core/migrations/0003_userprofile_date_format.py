from django.db import migrations, models

CHOICES = [
    ("iso", "2026-05-14 (ISO)"),
    ("long", "14 May 2026"),
    ("dmy", "14/05/2026"),
    ("mdy", "05/14/2026"),
]
HELP = "How dates are shown to you on pages, lists, history and PDFs."


class Migration(migrations.Migration):
    dependencies = [("core", "0002_roles_and_system_user")]

    operations = [
        migrations.AddField(
            model_name="historicaluserprofile",
            name="date_format",
            field=models.CharField(choices=CHOICES, default="iso", help_text=HELP, max_length=8),
        ),
        migrations.AddField(
            model_name="userprofile",
            name="date_format",
            field=models.CharField(choices=CHOICES, default="iso", help_text=HELP, max_length=8),
        ),
    ]
