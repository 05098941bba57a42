"""The approval matrix the portal starts with: the seed runbook's section 10.2.

Loaded after every migrate (and after a test database is flushed), adding only the change
types that have no rule: administrators' edits are never overwritten.
"""

from __future__ import annotations

from django.db import transaction

from bcp_portal.core.dbstate import app_fully_migrated

DEFAULTS = (
    ("contact_update", ["SRE Lead"], "SRE Team"),
    ("procedure_update", ["Engineering Manager", "DPO"], "SRE Team"),
    ("strategy_change", ["CTO", "Legal Counsel"], "SRE Team + Architecture"),
    ("compliance_update", ["DPO", "Legal Counsel"], "Compliance Team"),
)


def approval_matrix_defaults_load(*, using: str = "default") -> int:
    """Add the default rule of every change type that has none; return how many."""
    from compliance.models import ApprovalRule

    added = 0
    # Outside a request the audit context is a command run by the system (core.audit).
    with transaction.atomic(using=using):
        for change_type, required, lead in DEFAULTS:
            if ApprovalRule.objects.using(using).filter(change_type=change_type).exists():
                continue
            rule = ApprovalRule(
                change_type=change_type, required_roles=required, implementation_lead=lead
            )
            rule._change_reason = "Default: the seed runbook's approval matrix (10.2)"  # type: ignore[attr-defined]  # read by django-simple-history
            rule.save(using=using)
            added += 1
    return added


def load_after_migrate(sender: object, using: str = "default", **kwargs: object) -> None:
    if app_fully_migrated("compliance", using):
        approval_matrix_defaults_load(using=using)
