"""Intake sources and their mapping tables: the SRE Lead's writes (docs/alert-intake.md).

A source's token is made here and returned once; only its SHA-256 is kept. Sources belong
to the organisation, not to the person who made them, so they are not a `core.credentials`
kind: a password change or an offboarding of that person must not silence the monitors
(the SRE Lead revokes a source, and makes a new one, when its token may have leaked).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bcp_portal.core import limits
from bcp_portal.core.roles import require_perm
from bcp_portal.core.services import apply_changes, save_audited
from bcp_portal.core.typehints import Actor
from incidents.models import IntakeMapping, IntakeSource

SOURCE_FIELDS = ("name", "kind", "description", "default_incident_type", "default_severity")
MAPPING_FIELDS = ("label", "value", "severity", "service", "incident_type")


def _unknown(fields: dict[str, Any], allowed: Sequence[str]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")


@transaction.atomic
def intake_source_create(*, actor: Actor, **fields: Any) -> tuple[IntakeSource, str]:
    """A new source and its token: the row keeps the hash, the raw token is returned."""
    require_perm(actor, "incidents.add_intakesource")
    _unknown(fields, SOURCE_FIELDS)
    raw = IntakeSource.new_token()
    source = IntakeSource(
        **fields,
        token_hash=IntakeSource.hash(raw),
        prefix=raw[:12],
        created_by=actor if isinstance(actor, User) else None,
    )
    save_audited(source, actor=actor)
    return source, raw


@transaction.atomic
def intake_source_update(*, actor: Actor, source: IntakeSource, **fields: Any) -> IntakeSource:
    require_perm(actor, "incidents.change_intakesource")
    _unknown(fields, SOURCE_FIELDS)
    source = IntakeSource.objects.select_for_update().get(pk=source.pk)
    if apply_changes(source, fields):
        save_audited(source, actor=actor)
    return source


@transaction.atomic
def intake_source_revoke(*, actor: Actor, source: IntakeSource) -> IntakeSource:
    """Its token answers 401 from now on; its groups, alerts and incidents stay."""
    require_perm(actor, "incidents.change_intakesource")
    source = IntakeSource.objects.select_for_update().get(pk=source.pk)
    if source.revoked_at is None:
        source.revoked_at = timezone.now()
        save_audited(source, actor=actor)
    return source


@transaction.atomic
def intake_mappings_set(
    *, actor: Actor, source: IntakeSource, rows: Sequence[dict[str, Any]]
) -> list[IntakeMapping]:
    """Make the source's mapping table exactly `rows`, in that order (positions 1..n).

    Row n keeps its id and history: it is edited in place when its content changed, rows
    beyond the new length are deleted (history keeps them)."""
    require_perm(actor, "incidents.change_intakesource")
    if len(rows) > limits.INTAKE_MAPPING_ROWS_MAX:
        raise ValidationError(
            f"A mapping table holds at most {limits.INTAKE_MAPPING_ROWS_MAX} rows."
        )
    source = IntakeSource.objects.select_for_update().get(pk=source.pk)
    existing = list(source.mappings.order_by("position", "pk"))
    kept: list[IntakeMapping] = []
    for index, fields in enumerate(rows):
        _unknown(fields, MAPPING_FIELDS)
        values = {name: fields.get(name) for name in MAPPING_FIELDS}
        values["severity"] = values["severity"] or ""
        values["label"] = (values["label"] or "").strip()
        values["value"] = (values["value"] or "").strip()
        if index < len(existing):
            row = existing[index]
            if apply_changes(row, {**values, "position": index + 1}):
                save_audited(row, actor=actor)
        else:
            row = save_audited(
                IntakeMapping(source=source, position=index + 1, **values), actor=actor
            )
        kept.append(row)
    for row in existing[len(rows) :]:
        row._history_user = actor  # type: ignore[attr-defined]  # read by django-simple-history
        row.delete()
    return kept
