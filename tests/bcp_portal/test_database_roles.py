"""The deploy roles: migrations run as the table owner, the portal as a less privileged role.

scripts/check.sh creates `bcp_owner` and `bcp_app`, migrates with MIGRATE_DATABASE_URL as
the owner and runs this module alone with both URLs set (tests/conftest.py keeps it out of
every other run). It talks to PostgreSQL directly: the test database of pytest-django is
owned by the app role and would prove nothing.
"""

import os

import psycopg
import pytest
from psycopg import errors

pytestmark = pytest.mark.postgres


def url(name: str) -> str:
    value = os.environ.get(name, "")
    assert value.startswith(("postgres://", "postgresql://")), (
        f"{name} must name the deploy database (run scripts/check.sh), got {value!r}"
    )
    return value


@pytest.fixture
def owner():
    with psycopg.connect(url("MIGRATE_DATABASE_URL")) as conn:
        yield conn


@pytest.fixture
def app():
    with psycopg.connect(url("DATABASE_URL")) as conn:
        yield conn


def test_both_urls_name_the_same_database_as_different_roles(owner, app):
    assert owner.info.dbname == app.info.dbname
    assert owner.info.user != app.info.user


def test_migrations_ran_as_the_owner(owner):
    rows = owner.execute(
        "SELECT tablename, tableowner FROM pg_tables WHERE schemaname = 'public'"
    ).fetchall()
    assert ("django_migrations", owner.info.user) in rows
    assert {table_owner for _, table_owner in rows} == {owner.info.user}


def test_the_app_role_reads_and_writes_rows(app):
    applied = app.execute("SELECT count(*) FROM django_migrations").fetchone()[0]
    assert applied > 0
    with app.transaction(force_rollback=True):
        # An identity column: the insert also needs the sequence grant.
        group_id = app.execute(
            "INSERT INTO auth_group (name) VALUES ('database-roles-check') RETURNING id"
        ).fetchone()[0]
        app.execute("UPDATE auth_group SET name = 'checked' WHERE id = %s", [group_id])
        app.execute("DELETE FROM auth_group WHERE id = %s", [group_id])


def test_the_app_role_cannot_create_a_table(app):
    with pytest.raises(errors.InsufficientPrivilege), app.transaction():
        app.execute("CREATE TABLE app_role_must_not_create (id int)")


def test_the_app_role_cannot_alter_or_drop_a_table_it_does_not_own(app):
    with pytest.raises(errors.InsufficientPrivilege), app.transaction():
        app.execute("ALTER TABLE auth_group ADD COLUMN sneaky int")
    with pytest.raises(errors.InsufficientPrivilege), app.transaction():
        app.execute("DROP TABLE django_migrations")
