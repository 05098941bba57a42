"""`migrate` runs as the table owner when MIGRATE_DATABASE_URL is set.

The portal itself connects with DATABASE_URL, a role that may hold row privileges only
(it cannot create or alter tables). Passing --database explicitly still wins.
"""

from typing import Any

from django.conf import settings
from django.core.management.commands.migrate import Command as MigrateCommand


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
        super().handle(*args, **options)
