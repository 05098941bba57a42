from django.db import migrations

from bcp_portal.actions.constraints import link_table_constraints


class Migration(migrations.Migration):
    """Exactly one source per action: the database rules for this app's link table."""

    dependencies = [("incidents", "0001_initial"), ("actions", "0001_initial")]
    operations = [link_table_constraints("incidents", "PostMortemAction", "postmortem")]
