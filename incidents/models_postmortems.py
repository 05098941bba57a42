"""Post-mortems (the runbook's template, 7.1.1, completed) and communication drafts (5.1.2).

A post-mortem belongs to one incident, and its timeline is the incident's own (never
retyped). It moves draft -> in review -> approved -> published through the services in
`incidents.services.postmortems`: the SRE Lead signs the review through the one signing
service, and a published text changes only through a revision with a reason (revision + 1,
reviewed again; the history tables keep every earlier value).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from bcp_portal.actions.models import Action, ActionLink, link_constraints
from bcp_portal.core.audit import history
from incidents.models import POSTMORTEM_SOURCE, Incident

MAX_TEXT_CHARS = 20_000
MAX_LESSON_CHARS = 2_000
MAX_REASON_CHARS = 2_000
MAX_DRAFT_CHARS = 10_000
# Rows a post-mortem's sections take (lessons; action items), through the page and the API.
POSTMORTEM_LESSONS_MAX = 50
POSTMORTEM_ACTIONS_MAX = 50


class PostMortem(models.Model):
    """The post-mortem of one incident: the runbook's template plus a summary, lessons by
    category and a review state."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        APPROVED = "approved", "Approved"
        PUBLISHED = "published", "Published"

    incident = models.OneToOneField(Incident, on_delete=models.PROTECT, related_name="postmortem")
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True, max_length=MAX_TEXT_CHARS)
    impact = models.TextField(blank=True, max_length=MAX_TEXT_CHARS, help_text="Customer impact.")
    root_cause = models.TextField(blank=True, max_length=MAX_TEXT_CHARS)
    contributing_factors = models.TextField(blank=True, max_length=MAX_TEXT_CHARS)
    went_well = models.TextField("what went well", blank=True, max_length=MAX_TEXT_CHARS)
    to_improve = models.TextField("what could be improved", blank=True, max_length=MAX_TEXT_CHARS)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    revision = models.PositiveIntegerField(default=1)
    revision_reason = models.TextField(blank=True, max_length=MAX_REASON_CHARS)
    actions = models.ManyToManyField(
        Action, through="PostMortemAction", related_name="+", blank=True
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who started it (blank for post-mortems recorded before incidents existed).",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = history()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "post-mortem"
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="postmortem_recent"),
            models.Index(fields=["status", "-created_at"], name="postmortem_status_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                name="postmortem_published_has_time",
                condition=~models.Q(status="published") | models.Q(published_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"Post-mortem {self.incident.reference}: {self.title}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("postmortems:detail", args=[self.incident_id])

    @property
    def document_id(self) -> str:
        return f"PM-{self.incident.reference}"

    @property
    def is_editable(self) -> bool:
        """Only a draft's text changes; anything later goes through review or a revision."""
        return self.status == self.Status.DRAFT


class PostMortemLesson(models.Model):
    """One lesson learned, with the category a reviewer sorts it under."""

    class Category(models.TextChoices):
        DETECTION = "detection", "Detection"
        RESPONSE = "response", "Response"
        COMMUNICATION = "communication", "Communication"
        TOOLING = "tooling", "Tooling"
        PROCESS = "process", "Process"
        PEOPLE = "people", "People and training"
        DOCUMENTATION = "documentation", "Documentation"
        OTHER = "other", "Other"

    postmortem = models.ForeignKey(PostMortem, on_delete=models.CASCADE, related_name="lessons")
    category = models.CharField(max_length=16, choices=Category.choices, default=Category.OTHER)
    text = models.TextField(max_length=MAX_LESSON_CHARS)
    order = models.PositiveSmallIntegerField(default=1)

    history = history()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "lesson learned"
        verbose_name_plural = "lessons learned"

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.text[:40]}"


class PostMortemAction(ActionLink):
    """The link from a post-mortem to one of its improvement actions (see ActionLink)."""

    action = models.OneToOneField(
        Action, primary_key=True, on_delete=models.CASCADE, related_name="postmortem_link"
    )
    postmortem = models.ForeignKey(
        PostMortem, on_delete=models.PROTECT, related_name="action_links"
    )
    source_kind = models.CharField(max_length=32, default=POSTMORTEM_SOURCE, editable=False)

    history = history()

    class Meta:
        constraints = link_constraints(POSTMORTEM_SOURCE)
        verbose_name = "post-mortem action"

    def __str__(self) -> str:
        return f"{self.postmortem_id} → action {self.action_id}"


class CommunicationDraft(models.Model):
    """A status-page update or a customer email drafted from the templates
    (`incidents/data/communication_templates.json`) with the incident's facts; edited by a
    person, then marked used when they publish or send it themselves (the portal sends
    nothing)."""

    class Kind(models.TextChoices):
        STATUS_PAGE = "status_page", "Status-page update"
        CUSTOMER_EMAIL = "customer_email", "Customer email"

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="communication_drafts"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField(max_length=MAX_DRAFT_CHARS)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = history()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "communication draft"
        indexes = [models.Index(fields=["incident", "-created_at"], name="commdraft_by_incident")]
        constraints = [
            models.CheckConstraint(
                name="commdraft_used_by_someone",
                condition=models.Q(used_at__isnull=True) | models.Q(used_by__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"

    @property
    def is_used(self) -> bool:
        return self.used_at is not None
