"""Admin of on-call and escalation (imported by incidents/admin.py).

- The communication matrix: the SRE Lead edits its rows through `communication_rule_update`
  (rows come from the reference file; none is added or deleted here).
- Rotations: added and changed through `rotation_create`/`rotation_update`; members are
  typed as usernames in rotation order.
- Overrides are added on the On call page (its rule on who may add one); shown here.
- Escalations, pages and notices are the record of what happened: shown only.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.models import User

from bcp_portal.core.admin_base import ReadOnlyAdmin, ServiceBackedAdmin
from incidents.models import (
    CommunicationRule,
    Escalation,
    EscalationPage,
    OnCallOverride,
    OnCallRotation,
    StakeholderNotice,
)
from incidents.services.oncall import (
    MAX_MEMBERS,
    RULE_FIELDS,
    communication_rule_update,
    rotation_create,
    rotation_update,
)


@admin.register(CommunicationRule)
class CommunicationRuleAdmin(ServiceBackedAdmin):
    list_display = ["severity", "notify_within_minutes", "executive_contacts", "page_on_call"]
    fields = ["notify_within_minutes", "roles", "users", "contacts", *RULE_FIELDS[1:]]
    filter_horizontal = ["roles", "users", "contacts"]

    def service_update(self, *, actor, obj, fields):  # type: ignore[no-untyped-def]
        return communication_rule_update(actor=actor, rule=obj, **fields)


class RotationForm(forms.ModelForm):
    members_in_order = forms.CharField(
        label="Members, in rotation order",
        help_text="Usernames separated by commas: the first is primary in the first shift.",
        max_length=2000,
    )

    class Meta:
        model = OnCallRotation
        fields = ["name", "starts_at", "shift_days", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            links = self.instance.member_links.select_related("user").order_by("position")
            self.initial["members_in_order"] = ", ".join(link.user.get_username() for link in links)

    def clean_members_in_order(self) -> list[User]:
        names = [n.strip() for n in self.cleaned_data["members_in_order"].split(",") if n.strip()]
        if not names or len(names) > MAX_MEMBERS:
            raise forms.ValidationError(f"Give 1 to {MAX_MEMBERS} usernames.")
        found = {u.get_username(): u for u in User.objects.filter(username__in=names)}
        unknown = [n for n in names if n not in found]
        if unknown:
            raise forms.ValidationError(f"No such user: {', '.join(unknown[:5])}.")
        return [found[n] for n in names]


@admin.register(OnCallRotation)
class OnCallRotationAdmin(ServiceBackedAdmin):
    form = RotationForm
    list_display = ["name", "starts_at", "shift_days", "is_active"]
    list_filter = ["is_active"]
    fields = ["name", "starts_at", "shift_days", "is_active", "members_in_order"]

    def service_create(self, *, actor, fields):  # type: ignore[no-untyped-def]
        members = fields.pop("members_in_order")
        return rotation_create(actor=actor, members=members, **fields)

    def service_update(self, *, actor, obj, fields):  # type: ignore[no-untyped-def]
        members = fields.pop("members_in_order")
        return rotation_update(actor=actor, rotation=obj, members=members, **fields)


@admin.register(OnCallOverride)
class OnCallOverrideAdmin(ReadOnlyAdmin):
    list_display = ["rotation", "slot", "user", "starts_at", "ends_at", "reason", "created_by"]
    list_filter = ["slot", "rotation"]
    list_select_related = ["rotation", "user", "created_by"]
    search_fields = ["reason", "user__username", "user__last_name"]


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = ["incident", "started_at", "stopped_at", "stop_reason"]
    list_select_related = ["incident"]
    search_fields = ["incident__reference"]


@admin.register(EscalationPage)
class EscalationPageAdmin(ReadOnlyAdmin):
    """The message's text shown here never holds the link: it is made at delivery."""

    list_display = ["escalation", "step", "user", "contact", "paged_at", "acknowledged_at"]
    list_filter = ["step"]
    list_select_related = ["escalation", "user", "contact"]
    search_fields = ["escalation__incident__reference"]


@admin.register(StakeholderNotice)
class StakeholderNoticeAdmin(ReadOnlyAdmin):
    list_display = ["incident", "severity", "recipient_label", "due_at", "checked_at", "missed"]
    list_filter = ["missed", "severity"]
    list_select_related = ["incident"]
    search_fields = ["incident__reference", "recipient_label"]
