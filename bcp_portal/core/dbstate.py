"""Whether the database has every migration the code expects.

A database behind the code (someone ran the server without `manage.py migrate` after
updating) fails on the first query that names a new column: every page would answer 500
with "no such column". `pending_migrations` says what is missing, so the portal can answer
503 with what to do, and /healthz can report it. Once the database is found up to date the
answer is kept for the life of the process (migrations arrive with new code, which means a
restart); while it is behind, it is checked again each time it is asked.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor

_up_to_date: set[str] = set()


def pending_migrations(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    """The migrations not yet applied to `alias`, as "app.name"; [] when up to date."""
    if alias in _up_to_date:
        return []
    try:
        executor = MigrationExecutor(connections[alias])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        return []  # unreachable: a different problem, reported as such
    pending = [f"{migration.app_label}.{migration.name}" for migration, _ in plan]
    if not pending:
        _up_to_date.add(alias)
    return pending


def forget() -> None:
    """Check again on the next call (tests that migrate backwards call this)."""
    _up_to_date.clear()


def app_fully_migrated(app_label: str, using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether every leaf migration of `app_label` is applied on `using` (or the app has no
    migrations: tables made from the models). A post_migrate loader of reference data asks
    this first, so migrating backwards or part way never writes to tables that lag the
    models."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connections[using], ignore_no_migrations=True)
    if app_label in loader.unmigrated_apps:
        return True
    leaves = [node for node in loader.graph.leaf_nodes() if node[0] == app_label]
    return all(node in loader.applied_migrations for node in leaves)
