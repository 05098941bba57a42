"""The one write on a notification regime: switching it on or off, and editing the seed
runbook's internal rules.

The legal facts of a statutory regime (its stages, periods, anchors) change only through a
new version of the data file (`compliance.regime_loader`); here only `enabled` changes for
them. An internal rule's parameters (incident type, severity threshold, hours, outage and
user thresholds) may be set, or cleared back to the data file's value (blank).

The regimes page (`compliance.regime_views`, the DPO) gives a reason, kept as the history
row's change reason; the admin gives none. Saving the row re-evaluates every open incident
(`compliance.notification_hooks`): switched off, a regime's open obligations become "not
applicable" with the reason.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from bcp_portal.core.roles import require_perm
from bcp_portal.core.services import apply_changes, save_audited
from bcp_portal.core.typehints import Actor
from compliance.models_notifications import MAX_REASON_CHARS, NotificationRegime
from compliance.regime_loader import PARAMETERS

PERM_CHANGE = "compliance.change_notificationregime"
EDITABLE = ("enabled", *PARAMETERS)


@transaction.atomic
def regime_update(
    *, actor: Actor, regime: NotificationRegime, reason: str = "", **fields: Any
) -> NotificationRegime:
    """Change `enabled` (any regime) or an internal rule's parameters; history kept, with
    `reason` (if given) as the history row's change reason."""
    require_perm(actor, PERM_CHANGE)
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON_CHARS:
        raise ValidationError(
            {"reason": f"Ensure the reason has at most {MAX_REASON_CHARS} characters."}
        )
    unknown = sorted(set(fields) - set(EDITABLE))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field is not edited here."))
    regime = NotificationRegime.objects.select_for_update().get(pk=regime.pk)
    if not regime.is_internal:
        legal = sorted(
            name for name in PARAMETERS if name in fields and fields[name] not in (None, "")
        )
        if legal:
            raise ValidationError(
                dict.fromkeys(
                    legal,
                    "A statutory regime's rules change only through a new version of the "
                    "regimes data file.",
                )
            )
    if fields.get("incident_type_key"):
        from incidents.models import IncidentType

        if not IncidentType.objects.filter(key=fields["incident_type_key"]).exists():
            raise ValidationError({"incident_type_key": "No incident type has this key."})
    if apply_changes(regime, fields):
        if reason:
            regime._change_reason = reason  # type: ignore[attr-defined]  # read by django-simple-history
        save_audited(regime, actor=actor)
    return regime
