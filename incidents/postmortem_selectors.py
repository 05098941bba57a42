"""Reads of post-mortems and communication drafts, shared by pages, API, PDF and panel."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from bcp_portal.actions.models import Action
from bcp_portal.core.typehints import Actor
from incidents.models import Incident, Severity, TimelineEntry
from incidents.models_postmortems import CommunicationDraft, PostMortem, PostMortemLesson

LIST_FIELDS = (
    "id",
    "title",
    "status",
    "revision",
    "created_at",
    "published_at",
    "incident_id",
    "incident__id",
    "incident__reference",
    "incident__severity",
    "incident__detected_at",
    "author_id",
    "author__username",
    "author__first_name",
    "author__last_name",
)


def postmortem_list(*, user: Actor) -> QuerySet[PostMortem]:
    """Every post-mortem (all who may see one see all), newest first, only listed columns."""
    return (
        PostMortem.objects.select_related("incident", "author")
        .only(*LIST_FIELDS)
        .order_by("-created_at", "-pk")
    )


def filter_postmortems(
    qs: QuerySet[PostMortem], *, status: str = "", search: str = ""
) -> QuerySet[PostMortem]:
    """Validated filters (`incidents.postmortem_filters.PostMortemFilterSet` parses them)."""
    if status:
        qs = qs.filter(status=status)
    if search:
        qs = qs.filter(
            Q(title__icontains=search)
            | Q(incident__reference__icontains=search)
            | Q(summary__icontains=search)
            | Q(root_cause__icontains=search)
        )
    return qs


def postmortem_detail_queryset() -> QuerySet[PostMortem]:
    """One post-mortem with everything its page and PDF show, in a fixed number of queries."""
    return PostMortem.objects.select_related(
        "incident", "incident__incident_type", "author", "submitted_by", "published_by"
    ).prefetch_related(
        Prefetch("lessons", queryset=PostMortemLesson.objects.order_by("order", "pk")),
        Prefetch(
            "actions",
            queryset=Action.objects.select_related("owner").order_by("pk"),
            to_attr="action_rows",
        ),
        Prefetch(
            "incident__timeline",
            queryset=TimelineEntry.objects.select_related("owner").order_by("at", "pk"),
            to_attr="timeline_rows",
        ),
        "incident__services",
    )


def communication_drafts(incident: Incident) -> list[CommunicationDraft]:
    return list(
        CommunicationDraft.objects.filter(incident=incident)
        .select_related("created_by", "used_by")
        .order_by("-created_at", "-pk")
    )


DUE_SEVERITIES = (Severity.P0, Severity.P1)


def postmortems_due() -> QuerySet[Incident]:
    """Restored or closed P0/P1 incidents with no published post-mortem (the runbook asks
    one of every serious incident), oldest first."""
    published = PostMortem.objects.filter(
        incident=OuterRef("pk"), status=PostMortem.Status.PUBLISHED
    )
    return (
        Incident.objects.filter(
            severity__in=DUE_SEVERITIES,
            status__in=[Incident.Status.RESTORED, Incident.Status.CLOSED],
        )
        .exclude(Exists(published))
        .order_by("restored_at", "pk")
    )


def reviews_waiting() -> QuerySet[PostMortem]:
    """Post-mortems in review: the SRE Lead's to sign."""
    return (
        PostMortem.objects.filter(status=PostMortem.Status.IN_REVIEW)
        .select_related("incident")
        .order_by("submitted_at", "pk")
    )
