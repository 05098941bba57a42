"""`migrate` runs as the table owner when MIGRATE_DATABASE_URL is set.

The portal itself connects with DATABASE_URL, a role that may hold row privileges only
(it cannot create or alter tables). Passing --database explicitly still wins.

A database created before the reshape into layers (its migration history names the apps
`bcp_portal` and `compliance` with tables the new layout no longer has) is refused with an
explanation instead of a traceback: nothing was deployed with that layout, so the way out is
a fresh database.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands.migrate import Command as MigrateCommand
from django.db import DatabaseError, connections

# Migrations that only the layout before the reshape recorded.
PRE_RESHAPE_MIGRATIONS = (("bcp_portal", "0001_initial"), ("incidents", "0003_postmortem_source"))


def applied_pre_reshape_migrations(alias: str) -> list[tuple[str, str]]:
    connection = connections[alias]
    try:
        if "django_migrations" not in connection.introspection.table_names():
            return []
        with connection.cursor() as cursor:
            cursor.execute("SELECT app, name FROM django_migrations")
            applied = set(cursor.fetchall())
    except DatabaseError:
        return []
    return [migration for migration in PRE_RESHAPE_MIGRATIONS if migration in applied]


class Command(MigrateCommand):
    def handle(self, *args: Any, **options: Any) -> None:
        databases = settings.DATABASES
        if (
            "migrate" in databases
            and options.get("database") == "default"
            # Only when both aliases name the same database: during test setup "default"
            # already points at the test database and "migrate" must not be used.
            and databases["migrate"].get("NAME") == databases["default"].get("NAME")
        ):
            options["database"] = "migrate"
        stale = applied_pre_reshape_migrations(options["database"])
        if stale:
            name = databases[options["database"]].get("NAME")
            raise CommandError(
                f"The database {name} was created by an earlier layout of the portal "
                f"(it records the migrations {', '.join('.'.join(m) for m in stale)}, which "
                "no longer exist). Start from a fresh database: for the SQLite default, "
                "delete db.sqlite3 and run `make run` again (it holds demo data only)."
            )
        super().handle(*args, **options)
