"""Runbooks under document control, their versions, and the changes that make them.

A document (document id, owner, classification, review cadence) has versions. A version's
content is Markdown, stored with line endings normalised; its sections are read from the
headings (`compliance.markdown`), never stored twice. A new version starts as a draft with
its change request (change type and reason, written by its author); submitting it puts it in
review, and the approval matrix (`ApprovalRule`, as it stands at that moment) fixes the
roles that must each approve it (`RequiredApproval`). Approvals are sign-offs of the portal's
one signing service (`bcp_portal.core.signing`) over the change's canonical content; once
every role has approved the current content the version is approved, and publishing it
supersedes the published one. At most one version of a document is published, and at most
one change is open, which the database enforces.
"""

from __future__ import annotations

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from bcp_portal.core import limits, roles
from bcp_portal.core.audit import history

# The largest runbook a version holds (the same limit as an import).
MAX_CONTENT_CHARS = limits.RUNBOOK_MAX_CHARS
MAX_REASON_CHARS = 4000
MAX_COMMENT_CHARS = 4000
# Roles that may be asked to approve a change (an auditor reads, never signs).
SIGNING_ROLES = tuple(r for r in roles.ALL_ROLES if r != roles.AUDITOR)
CHANGE_SOURCE = "runbook_change"
REVIEW_SOURCE = "runbook_review"

validate_doc_id = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
    "Use letters, digits, dots, hyphens and underscores (up to 64), starting with a letter "
    "or digit, for example DR-ACME-2026-001.",
)


class ChangeType(models.TextChoices):
    CONTACT_UPDATE = "contact_update", "Contact update"
    PROCEDURE_UPDATE = "procedure_update", "Procedure update"
    STRATEGY_CHANGE = "strategy_change", "Strategy change"
    COMPLIANCE_UPDATE = "compliance_update", "Compliance update"


class ReviewCadence(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    SEMI_ANNUAL = "semi_annual", "Semi-annual"
    ANNUAL = "annual", "Annual"


CADENCE_MONTHS = {
    ReviewCadence.MONTHLY: 1,
    ReviewCadence.QUARTERLY: 3,
    ReviewCadence.SEMI_ANNUAL: 6,
    ReviewCadence.ANNUAL: 12,
}


def next_review_after(day, cadence: str):
    """The review after one done on `day`: the cadence's months later (end-of-month safe)."""
    return day + relativedelta(months=CADENCE_MONTHS[ReviewCadence(cadence)])


class Classification(models.TextChoices):
    PUBLIC = "public", "Public"
    INTERNAL = "internal", "Internal"
    CONFIDENTIAL = "confidential", "Internal/Confidential"
    RESTRICTED = "restricted", "Restricted"


def validate_roles(value) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError("Name at least one role.", code="roles")
    unknown = [r for r in value if r not in SIGNING_ROLES]
    if unknown:
        raise ValidationError(
            "Unknown or non-signing role(s): %(roles)s. Choose from: %(allowed)s.",
            params={"roles": ", ".join(map(str, unknown)), "allowed": ", ".join(SIGNING_ROLES)},
            code="roles",
        )
    if len(set(value)) != len(value):
        raise ValidationError("A role is named twice.", code="roles")


class ApprovalRule(models.Model):
    """One row of the approval matrix: a change type, the roles that must all approve it,
    and who implements it. Edited by administrators only; a change already in review keeps
    the roles it was given when it entered review."""

    change_type = models.CharField(max_length=32, choices=ChangeType.choices, unique=True)
    required_roles = models.JSONField(
        validators=[validate_roles],
        help_text="Every one of these roles must approve (each by a different person).",
    )
    implementation_lead = models.CharField(max_length=120)
    history = history()

    class Meta:
        ordering = ["change_type"]

    def __str__(self) -> str:
        return f"{self.get_change_type_display()}: {' + '.join(self.required_roles)}"

    def describe(self) -> str:
        return (
            f"{self.get_change_type_display()} needs {' and '.join(self.required_roles)} "
            f"(implementation: {self.implementation_lead})"
        )


class RunbookDocument(models.Model):
    doc_id = models.CharField(
        "document id", max_length=64, unique=True, validators=[validate_doc_id]
    )
    title = models.CharField(max_length=200)
    owner = models.CharField(max_length=120, help_text="The owning team, e.g. SRE Team.")
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who is reminded of reviews (the SRE Lead role when empty).",
    )
    classification = models.CharField(
        max_length=16, choices=Classification.choices, default=Classification.CONFIDENTIAL
    )
    review_cadence = models.CharField(
        max_length=16, choices=ReviewCadence.choices, default=ReviewCadence.SEMI_ANNUAL
    )
    next_review = models.DateField()
    last_reviewed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = history()

    class Meta:
        ordering = ["doc_id"]
        indexes = [models.Index(fields=["next_review"], name="runbookdoc_next_review")]
        permissions = [("review_runbookdocument", "Can record a runbook review")]

    def __str__(self) -> str:
        return f"{self.doc_id} {self.title}"


class RunbookVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        APPROVED = "approved", "Approved"
        PUBLISHED = "published", "Published"
        SUPERSEDED = "superseded", "Superseded"
        WITHDRAWN = "withdrawn", "Withdrawn"

    OPEN = (Status.DRAFT, Status.IN_REVIEW, Status.APPROVED)

    document = models.ForeignKey(RunbookDocument, on_delete=models.PROTECT, related_name="versions")
    # YYYY.MM.N: the month the version was opened and its number within that month.
    label = models.CharField(max_length=20)
    sequence = models.PositiveIntegerField(help_text="1, 2, 3… within the document.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    content = models.TextField(blank=True)
    content_sha256 = models.CharField(max_length=64, blank=True)
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    superseded_at = models.DateTimeField(null=True, blank=True)
    history = history()

    class Meta:
        ordering = ["document", "-sequence"]
        permissions = [("publish_runbookversion", "Can publish an approved runbook version")]
        constraints = [
            models.UniqueConstraint(fields=["document", "label"], name="runbookversion_label"),
            models.UniqueConstraint(
                fields=["document", "sequence"], name="runbookversion_sequence"
            ),
            models.UniqueConstraint(
                fields=["document"],
                condition=Q(status="published"),
                name="runbookversion_one_published",
                violation_error_message="This document already has a published version.",
            ),
            models.UniqueConstraint(
                fields=["document"],
                condition=Q(status__in=["draft", "in_review", "approved"]),
                name="runbookversion_one_open",
                violation_error_message=(
                    "This document already has an open change; finish or withdraw it first."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="runbookversion_published_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document.doc_id} {self.label}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class ChangeRequest(models.Model):
    """What a new version changes and why; it carries the version through review."""

    version = models.OneToOneField(RunbookVersion, on_delete=models.PROTECT, related_name="change")
    change_type = models.CharField(max_length=32, choices=ChangeType.choices)
    reason = models.TextField(blank=True, max_length=MAX_REASON_CHARS)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Detected from the diff against `version.based_on`, never typed.
    sections_touched = models.JSONField(default=list, blank=True)
    # Fixed from the matrix when the change enters review.
    implementation_lead = models.CharField(max_length=120, blank=True)
    rule_text = models.CharField(max_length=400, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Each time the change (re)enters review, or its signatures are voided, a new round
    # starts: approvers are asked again (the round is part of each notification's key).
    review_round = models.PositiveIntegerField(default=0)
    rejection_comment = models.TextField(blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rejected_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = history()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.version}: {self.get_change_type_display()}"


class RequiredApproval(models.Model):
    """A role that must approve a change in review (fixed from the matrix at submission)."""

    change = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="required")
    role = models.CharField(max_length=64)
    position = models.PositiveSmallIntegerField(default=0)
    history = history()

    class Meta:
        ordering = ["change", "position"]
        constraints = [
            models.UniqueConstraint(fields=["change", "role"], name="requiredapproval_role_once")
        ]
        indexes = [models.Index(fields=["role", "change"], name="requiredapproval_role")]

    def __str__(self) -> str:
        return f"{self.change}: {self.role}"


class BreakGlassCopy(models.Model):
    """One write of a published version outside the portal (operational, not historised:
    the version's history says who published it; this says where the copy went)."""

    class Target(models.TextChoices):
        FOLDER = "folder", "Folder"
        S3 = "s3", "S3 bucket"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        WRITTEN = "written", "Written"
        FAILED = "failed", "Failed"

    version = models.ForeignKey(RunbookVersion, on_delete=models.PROTECT, related_name="copies")
    target = models.CharField(max_length=8, choices=Target.choices)
    location = models.CharField(max_length=500)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    files = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    written_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["version", "target"], name="breakglass_once_per_target")
        ]

    def __str__(self) -> str:
        return f"{self.version} -> {self.get_target_display()} ({self.status})"


from compliance.models_notifications import (  # noqa: E402, F401
    IncidentFact,
    NotificationRegime,
    Obligation,
    Submission,
)
