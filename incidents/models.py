"""Incidents: post-mortems today; incidents, timelines, on-call and DR metrics as they land."""

from django.db import models

from bcp_portal.actions.models import Action, ActionLink, link_constraints
from bcp_portal.core.audit import history

POSTMORTEM_SOURCE = "postmortem"


class PostMortem(models.Model):
    """The runbook's post-mortem template for one incident (pages come with incidents).

    Improvement actions found by a post-mortem go to the same tracker as a drill's, linked
    through `PostMortemAction`.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    incident_reference = models.CharField(max_length=64, help_text="e.g. INC-2026-014")
    title = models.CharField(max_length=200)
    incident_date = models.DateField()
    duration_minutes = models.PositiveIntegerField(null=True, blank=True)
    impact = models.TextField(blank=True, help_text="Customer impact.")
    root_cause = models.TextField(blank=True)
    contributing_factors = models.TextField(blank=True)
    went_well = models.TextField("what went well", blank=True)
    to_improve = models.TextField("what could be improved", blank=True)
    lessons_learned = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    actions = models.ManyToManyField(
        Action, through="PostMortemAction", related_name="+", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = history()

    class Meta:
        ordering = ["-incident_date", "-pk"]
        verbose_name = "post-mortem"

    def __str__(self) -> str:
        return f"Post-mortem {self.incident_reference}: {self.title}"


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
        return f"{self.postmortem} → action {self.action_id}"
