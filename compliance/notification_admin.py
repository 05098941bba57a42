"""The notification clocks in the admin: facts changed through `fact_record`; obligations and
submissions shown only (the engine, the DPO's own pages and the submission service write
them; a submission's file is never shown here, only its name, type and digest)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from bcp_portal.core.admin_base import ReadOnlyAdmin, ServiceBackedAdmin
from compliance.models_notifications import IncidentFact, Obligation, Submission
from compliance.notifications import fact_record

FACT_FIELDS = ("occurred_at", "time_zone", "value", "count", "reason", "evidence")


@admin.register(IncidentFact)
class IncidentFactAdmin(ServiceBackedAdmin):
    """Recorded on the incident's notifications page; corrected here through fact_record."""

    list_display = ["incident", "kind", "region", "occurred_at", "value", "count", "recorded_at"]
    list_filter = ["kind"]
    list_select_related = ["incident"]
    search_fields = ["incident__reference", "region", "reason", "evidence"]
    list_only = (
        "incident__reference",
        "incident__title",
        "kind",
        "region",
        "occurred_at",
        "value",
        "count",
        "recorded_at",
    )
    fields = FACT_FIELDS

    def service_update(self, *, actor: Any, obj: Any, fields: dict[str, Any]) -> Any:
        return fact_record(
            actor=actor, incident=obj.incident, kind=obj.kind, region=obj.region, **fields
        )


@admin.register(Obligation)
class ObligationAdmin(ReadOnlyAdmin):
    list_display = [
        "incident",
        "regime_name",
        "stage_name",
        "status",
        "due_at",
        "provisional",
        "manual",
    ]
    list_filter = ["status", "provisional", "manual", "regime_key"]
    list_select_related = ["incident"]
    search_fields = ["incident__reference", "regime_name", "stage_name", "notify"]
    list_only = (
        "incident__reference",
        "incident__title",
        "regime_name",
        "stage_name",
        "status",
        "due_at",
        "provisional",
        "manual",
    )


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ["obligation", "recipient", "reference_number", "submitted_at"]
    list_select_related = ["obligation"]
    search_fields = ["recipient", "reference_number", "obligation__incident__reference"]
    list_only = (
        "obligation__regime_name",
        "obligation__stage_name",
        "recipient",
        "reference_number",
        "submitted_at",
    )
    exclude = ["attachment"]
