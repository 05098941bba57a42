"""Notification regimes in the admin: switched on or off, the seed's internal rules edited.

Every regime of the data file has a row (`compliance.regime_loader`, after every migrate).
Staff holding `compliance.change_notificationregime` (the DPO role grants it, but the DPO
is not staff and uses the regimes pages, `compliance.regime_views`) enable or disable any
regime and edit an internal rule's parameters through `regime_services.regime_update`,
history kept. A statutory
regime's stages, periods and anchors are legal facts: shown here, read-only, changed only by
a new version of the data file. Rows are never added or deleted here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from bcp_portal.core.admin_base import ServiceBackedAdmin
from compliance.models_notifications import NotificationRegime
from compliance.regime_loader import PARAMETERS, file_defaults, file_regimes
from compliance.regime_services import regime_update

SHOWN = ["key", "name", "jurisdiction", "is_internal", "data_version", "verified", "stages"]


@admin.register(NotificationRegime)
class NotificationRegimeAdmin(ServiceBackedAdmin):
    list_display = ["name", "key", "jurisdiction", "is_internal", "enabled", "data_version"]
    list_filter = ["enabled", "is_internal"]
    search_fields = ["key", "name", "jurisdiction"]
    list_only = ("name", "key", "jurisdiction", "is_internal", "enabled", "data_version")

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        editable = ["enabled", *PARAMETERS] if obj is not None and obj.is_internal else ["enabled"]
        shown = [*SHOWN, "file_defaults"] if obj is not None and obj.is_internal else SHOWN
        return [*shown, *editable]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [*SHOWN, "file_defaults"]

    @admin.display(description="Verified")
    def verified(self, regime: NotificationRegime) -> str:
        flag = file_regimes().get(regime.key, {}).get("verified")
        return "—" if flag is None else ("yes" if flag else "no: labelled unverified")

    @admin.display(description="Stages (from the data file)")
    def stages(self, regime: NotificationRegime) -> SafeString:
        stages = file_regimes().get(regime.key, {}).get("stages", [])
        if not stages:
            return format_html("{}", "Not in the data file any more.")
        rows = format_html_join(
            "",
            "<li>{}: {} ({}{}, from {}){}</li>",
            (
                (
                    stage["name"],
                    stage.get("notify", ""),
                    stage["counting"],
                    f" {stage['period']}" if isinstance(stage.get("period"), int) else "",
                    stage["anchor"],
                    "" if stage.get("verified", False) else " — unverified",
                )
                for stage in stages
            ),
        )
        return format_html("<ul>{}</ul>", rows)

    @admin.display(description="The data file's parameters (a blank field above uses these)")
    def file_defaults(self, regime: NotificationRegime) -> str:
        values = file_defaults(regime.key)
        return ", ".join(f"{name}: {value}" for name, value in values.items() if value) or "—"

    def service_update(self, *, actor: Any, obj: Any, fields: dict[str, Any]) -> Any:
        return regime_update(actor=actor, regime=obj, **fields)
