"""Database rules that keep "exactly one source" per action, installed by each source app.

A source app's migration that creates its link table ends with
`link_table_constraints("<app_label>", "<LinkModel>", "<kind>")`. What it installs:

PostgreSQL (production and the test suite)
  * a composite foreign key (action_id, source_kind) -> actions_action (id, source_kind):
    a link row can only point at an action of its own kind, and an action's kind cannot
    change while a link points at it. With the link's one-to-one key on action_id and its
    check constraint on source_kind, an action has at most one source;
  * a deferred constraint trigger on actions_action: an action of this kind must have its
    link row by the end of the transaction, and a link row cannot be deleted while its
    action remains. So an action has at least one source, and "exactly one" holds.

SQLite (the embedded `make run` default)
  * triggers that refuse a link row whose action is of another kind, and refuse changing an
    action's kind while a link points at it (at most one source). SQLite cannot defer a
    check to commit, so "at least one" rests there on the service that writes both rows in
    one transaction (`actions.services.action_create`).

The dependency points from the source to the tracker: the tracker's migrations know
nothing of its sources.
"""

from __future__ import annotations

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def _names(apps: Apps, app_label: str, model_name: str) -> tuple[str, str]:
    link = apps.get_model(app_label, model_name)._meta.db_table
    action = apps.get_model("actions", "Action")._meta.db_table
    return link, action


def _postgresql(link: str, action: str, kind: str) -> list[str]:
    function = f"{link}_required"
    return [
        f"""ALTER TABLE {link} ADD CONSTRAINT {link}_action_kind_fk
            FOREIGN KEY (action_id, source_kind) REFERENCES {action} (id, source_kind)
            ON DELETE CASCADE""",
        f"""CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            target bigint;
        BEGIN
            IF TG_TABLE_NAME = '{action}' THEN
                IF NEW.source_kind <> '{kind}' THEN RETURN NULL; END IF;
                target := NEW.id;
            ELSE
                target := OLD.action_id;
            END IF;
            IF EXISTS (SELECT 1 FROM {action} WHERE id = target AND source_kind = '{kind}')
               AND NOT EXISTS (SELECT 1 FROM {link} WHERE action_id = target) THEN
                RAISE EXCEPTION 'action % of kind {kind} has no row in {link}', target
                    USING ERRCODE = 'check_violation';
            END IF;
            RETURN NULL;
        END $$""",  # noqa: S608 - names from model metadata and code, never from input
        f"""CREATE CONSTRAINT TRIGGER {link}_action_has_link
            AFTER INSERT OR UPDATE OF source_kind ON {action}
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {function}()""",
        f"""CREATE CONSTRAINT TRIGGER {link}_link_kept
            AFTER DELETE ON {link}
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {function}()""",
    ]


def _postgresql_reverse(link: str, action: str, kind: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {link}_link_kept ON {link}",
        f"DROP TRIGGER IF EXISTS {link}_action_has_link ON {action}",
        f"DROP FUNCTION IF EXISTS {link}_required()",
        f"ALTER TABLE {link} DROP CONSTRAINT IF EXISTS {link}_action_kind_fk",
    ]


def _sqlite(link: str, action: str, kind: str) -> list[str]:
    return [
        f"""CREATE TRIGGER {link}_kind_matches BEFORE INSERT ON {link}
            WHEN (SELECT source_kind FROM {action} WHERE id = NEW.action_id) IS NOT '{kind}'
            BEGIN SELECT RAISE(ABORT, 'the action is not of kind {kind}'); END""",  # noqa: S608
        f"""CREATE TRIGGER {link}_kind_kept BEFORE UPDATE OF source_kind ON {action}
            WHEN NEW.source_kind IS NOT OLD.source_kind
                AND EXISTS (SELECT 1 FROM {link} WHERE action_id = OLD.id)
            BEGIN SELECT RAISE(ABORT, 'an action linked in {link} keeps kind {kind}'); END""",  # noqa: S608
    ]


def _sqlite_reverse(link: str, action: str, kind: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {link}_kind_matches",
        f"DROP TRIGGER IF EXISTS {link}_kind_kept",
    ]


_SQL = {
    "postgresql": (_postgresql, _postgresql_reverse),
    "sqlite": (_sqlite, _sqlite_reverse),
}


def link_table_constraints(app_label: str, model_name: str, kind: str) -> migrations.RunPython:
    """The migration operation that installs the rules above for one link table."""

    def run(apps: Apps, schema_editor: BaseDatabaseSchemaEditor, *, forwards: bool) -> None:
        vendor = schema_editor.connection.vendor
        if vendor not in _SQL:
            raise NotImplementedError(f"No action-source constraints for {vendor}.")
        make = _SQL[vendor][0 if forwards else 1]
        for statement in make(*_names(apps, app_label, model_name), kind):
            schema_editor.execute(statement, params=None)

    return migrations.RunPython(
        lambda apps, editor: run(apps, editor, forwards=True),
        lambda apps, editor: run(apps, editor, forwards=False),
        elidable=False,
    )
