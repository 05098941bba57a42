"""The runbooks in the admin: the approval matrix edited through its service, document
control through its service, and everything else only shown.

- ApprovalRule: superusers change the roles and implementation lead of a rule
  (`services.approval_rule_update`; no role grants `change_approvalrule`, so other staff
  only view it). A change already in review keeps the roles it was given. Rules are not
  added here: the matrix has one row per change type, seeded by migration 0002.
- RunbookDocument: document control (`services.document_update`). Documents are not added
  here: they come in through an import (the upload page, the management command or the
  API), which makes the first version with its change request.
- RunbookVersion, ChangeRequest, RequiredApproval: read-only (the portal's pages and API
  write them through the services, with their signatures).
- BreakGlassCopy: operational rows, shown only.

The changelists whose rows name a version (by its document id and label) never read the
version's Markdown: a page of 25 rows would otherwise load 25 whole runbooks.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from bcp_portal.core.admin_base import (
    ReadOnlyAdmin,
    ReadOnlyInline,
    ServiceBackedAdmin,
    ShownOnlyAdmin,
)
from compliance.models import (
    SIGNING_ROLES,
    ApprovalRule,
    BreakGlassCopy,
    ChangeRequest,
    RequiredApproval,
    RunbookDocument,
    RunbookVersion,
)
from compliance.services import approval_rule_update, document_update


class WithoutMarkdown:
    """The rows are read with their `list_select_related` joined and the version's content
    (at `markdown`: "content", "version__content"...) left out."""

    markdown: str
    list_select_related: Any

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)  # type: ignore[misc]  # mixed into a ModelAdmin
        return queryset.select_related(*self.list_select_related).defer(self.markdown)


DOCUMENT_CONTROL_FIELDS = (
    "title",
    "owner",
    "owner_user",
    "classification",
    "review_cadence",
    "next_review",
)


class ApprovalRuleForm(forms.ModelForm):
    required_roles = forms.MultipleChoiceField(
        choices=[(role, role) for role in SIGNING_ROLES],
        widget=forms.CheckboxSelectMultiple,
        help_text="Every role ticked must approve a change of this type, each by a different "
        "person. A change already in review keeps the roles it was given.",
    )

    class Meta:
        model = ApprovalRule
        fields = ["required_roles", "implementation_lead"]


@admin.register(ApprovalRule)
class ApprovalRuleAdmin(ServiceBackedAdmin):
    form = ApprovalRuleForm
    list_display = ["change_type", "roles", "implementation_lead"]
    fields = ["change_type", "required_roles", "implementation_lead"]
    readonly_fields = ["change_type"]

    @admin.display(description="Required roles")
    def roles(self, rule: ApprovalRule) -> str:
        return " + ".join(rule.required_roles)

    def service_update(self, *, actor: Any, obj: Any, fields: dict[str, Any]) -> ApprovalRule:
        return approval_rule_update(
            actor=actor,
            rule=obj,
            required_roles=list(fields["required_roles"]),
            implementation_lead=fields["implementation_lead"],
        )


@admin.register(RunbookDocument)
class RunbookDocumentAdmin(ServiceBackedAdmin):
    list_display = ["doc_id", "title", "owner", "classification", "review_cadence", "next_review"]
    list_filter = ["classification", "review_cadence"]
    search_fields = ["doc_id", "title", "owner"]
    fields = ["doc_id", *DOCUMENT_CONTROL_FIELDS, "last_reviewed_on"]
    readonly_fields = ["doc_id", "last_reviewed_on"]
    autocomplete_fields = ["owner_user"]

    def service_update(self, *, actor: Any, obj: Any, fields: dict[str, Any]) -> RunbookDocument:
        return document_update(actor=actor, document=obj, **fields)


@admin.register(RunbookVersion)
class RunbookVersionAdmin(WithoutMarkdown, ReadOnlyAdmin):
    markdown = "content"
    list_display = ["__str__", "status", "created_by", "created_at", "published_at"]
    list_filter = ["status"]
    list_select_related = ["document", "created_by"]
    search_fields = ["document__doc_id", "label"]


class RequiredApprovalInline(ReadOnlyInline):
    model = RequiredApproval


@admin.register(ChangeRequest)
class ChangeRequestAdmin(WithoutMarkdown, ReadOnlyAdmin):
    markdown = "version__content"
    list_display = ["__str__", "change_type", "author", "submitted_at", "review_round"]
    list_filter = ["change_type"]
    list_select_related = ["version__document", "author"]
    search_fields = ["version__document__doc_id", "version__label", "reason"]
    inlines = [RequiredApprovalInline]


@admin.register(RequiredApproval)
class RequiredApprovalAdmin(WithoutMarkdown, ReadOnlyAdmin):
    markdown = "change__version__content"
    list_display = ["change", "role", "position"]
    list_filter = ["role"]
    list_select_related = ["change__version__document"]


@admin.register(BreakGlassCopy)
class BreakGlassCopyAdmin(WithoutMarkdown, ShownOnlyAdmin):
    markdown = "version__content"
    list_display = ["version", "target", "location", "status", "attempts", "written_at"]
    list_filter = ["target", "status"]
    list_select_related = ["version__document"]


# Notification regimes and clocks (issue #11): registered by their own modules.
from compliance import notification_admin, regime_admin  # noqa: E402, F401
