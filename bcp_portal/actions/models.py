"""The action tracker: one table of improvement actions, whatever found them.

An action has exactly one source (a drill report, a post-mortem; later readiness gaps, audit
findings, GDPR audits). The tracker does not know its sources: each source app owns a link
table (a subclass of `ActionLink`) from its rows to actions, and registers itself in
`bcp_portal.actions.sources`. The database keeps "exactly one source": `source_kind` on the
action names the one link table that may hold it, and each link table's row must carry the
same kind (see `bcp_portal.actions.constraints` and docs/ARCHITECTURE.md).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from bcp_portal.core.audit import history
from bcp_portal.core.links import detail_url


class Action(models.Model):
    """One improvement action: the portal's single action tracker."""

    class Status(models.TextChoices):
        # Typed into a draft report: not in the tracker until the report is submitted.
        PROPOSED = "proposed", "Proposed"
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    class Priority(models.TextChoices):
        HIGH = "high", "High"
        MEDIUM = "medium", "Medium"
        LOW = "low", "Low"

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)
    # In the tracker: everything but a proposal of a report nobody has submitted yet.
    LIVE_STATUSES = (Status.OPEN, Status.IN_PROGRESS, Status.DONE, Status.CANCELLED)

    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="actions",
        null=True,
        blank=True,
    )
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.MEDIUM)
    # Which source app's link table holds this action's source (`sources.ActionSource.kind`).
    source_kind = models.CharField(max_length=32, editable=False, db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = history()

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [
            # The lists' order: unfinished first, then by due date (none last), then id; the
            # expression is `selectors.action_list`'s, so a page reads the index in order.
            # (["open", "in_progress"] is OPEN_STATUSES: Meta cannot see the class body.)
            models.Index(
                models.Case(
                    models.When(status__in=["open", "in_progress"], then=models.Value(0)),
                    default=models.Value(1),
                ),
                "due_date",  # ascending is NULLS LAST in PostgreSQL, as the lists sort
                "id",
                name="action_list_order_idx",
            ),
            # The model's default order (the admin changelist's).
            models.Index(fields=["due_date", "id"], name="action_due_date_idx"),
            # "Mine" and the owner filter, in the same order, of the tracker's actions only
            # (LIVE_STATUSES, all but proposals: those lists' own filter), so a person's
            # capped count reads the index alone.
            models.Index(
                "owner",
                models.Case(
                    models.When(status__in=["open", "in_progress"], then=models.Value(0)),
                    default=models.Value(1),
                ),
                "due_date",  # ascending is NULLS LAST in PostgreSQL, as the lists sort
                "id",
                condition=models.Q(status__in=["open", "in_progress", "done", "cancelled"]),
                name="action_owner_order_idx",
            ),
            # Overdue counts (unfinished, due before today) per owner: an index-only scan of
            # the unfinished actions alone, in owner order, so they are counted as they come.
            models.Index(
                fields=["owner", "due_date"],
                condition=models.Q(status__in=["open", "in_progress"]),
                name="action_open_due_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="action_source_kind_set", condition=~models.Q(source_kind="")
            ),
            # The target of each link table's (action_id, source_kind) foreign key.
            models.UniqueConstraint(fields=["id", "source_kind"], name="action_id_source_kind"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return detail_url("actions:action-detail", self.pk)

    @property
    def source(self) -> Any:
        """The row this action came from (a drill report, a post-mortem…), through its link."""
        # Imported here: the registry imports this module.
        from bcp_portal.actions.sources import source_of

        return source_of(self)

    def is_overdue(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return bool(self.due_date and self.status in self.OPEN_STATUSES and self.due_date < today)


class ActionLink(models.Model):
    """Base of a source app's link table: one row per action, pointing at its source row.

    A subclass declares `action = models.OneToOneField(Action, primary_key=True,
    on_delete=models.CASCADE, related_name="<kind>_link")`, a foreign key to its source row,
    `source_kind` with its kind as the default, and calls `link_constraints(kind)` in Meta.
    """

    source_kind = models.CharField(max_length=32, editable=False)

    class Meta:
        abstract = True


def link_constraints(kind: str) -> list[models.BaseConstraint]:
    """A link table's portable constraint: its rows carry exactly its own kind."""
    return [
        models.CheckConstraint(
            name=f"%(app_label)s_%(class)s_kind_{kind}", condition=models.Q(source_kind=kind)
        )
    ]
