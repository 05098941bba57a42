"""`manage.py migrate` explains a database made by the layout before the reshape."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection


@pytest.mark.django_db
def test_migrate_refuses_a_database_from_the_layout_before_the_reshape_and_says_what_to_do():
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO django_migrations (app, name, applied) "
            "VALUES ('bcp_portal', '0001_initial', CURRENT_TIMESTAMP)"
        )
    with pytest.raises(CommandError, match=r"earlier layout.*delete db\.sqlite3"):
        call_command("migrate", verbosity=0)


@pytest.mark.django_db
def test_migrate_runs_on_a_database_of_this_layout():
    call_command("migrate", verbosity=0)  # nothing to apply, and no refusal
