"""The approval matrix of the seed runbook (section 10.2), as the starting data.

Administrators edit it afterwards (with history); this migration only adds rows that are
missing, so it never overwrites their edits.
"""

from django.db import migrations

DEFAULTS = [
    ("contact_update", ["SRE Lead"], "SRE Team"),
    ("procedure_update", ["Engineering Manager", "DPO"], "SRE Team"),
    ("strategy_change", ["CTO", "Legal Counsel"], "SRE Team + Architecture"),
    ("compliance_update", ["DPO", "Legal Counsel"], "Compliance Team"),
]


def seed(apps, schema_editor):
    db = schema_editor.connection.alias
    rule_model = apps.get_model("compliance", "ApprovalRule")
    history_model = apps.get_model("compliance", "HistoricalApprovalRule")
    for change_type, required, lead in DEFAULTS:
        if rule_model.objects.using(db).filter(change_type=change_type).exists():
            continue
        rule = rule_model.objects.using(db).create(
            change_type=change_type, required_roles=required, implementation_lead=lead
        )
        # The historical row a save() outside migrations would have written.
        from django.utils import timezone

        history_model.objects.using(db).create(
            id=rule.pk,
            change_type=change_type,
            required_roles=required,
            implementation_lead=lead,
            history_date=timezone.now(),
            history_type="+",
            history_change_reason="Seed runbook, section 10.2",
            history_source="command",
        )


class Migration(migrations.Migration):
    dependencies = [("compliance", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
