"""What a post-mortem review signs (registered with the signing service; docs/signing.md)."""

from __future__ import annotations

import datetime as dt

from bcp_portal.core import signing
from bcp_portal.core.people import display_name
from incidents.models_postmortems import PostMortem
from incidents.services import postmortems as services


def _utc(value: dt.datetime | None) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else ""


def timeline_lines(postmortem: PostMortem) -> list[str]:
    """The incident's timeline as the signed text has it: one line per entry."""
    lines = []
    for entry in postmortem.incident.timeline.select_related("owner").order_by("at", "pk"):
        owner = display_name(entry.owner) if entry.owner_id else entry.owner_name
        lines.append(
            " | ".join((_utc(entry.at), entry.event, entry.action_taken.replace("\n", " "), owner))
        )
    return lines


def postmortem_payload(postmortem: PostMortem) -> dict[str, str]:
    """Exactly what the SRE Lead signs: the incident's reference, the revision, every
    section's text, the incident's timeline, the lessons and the action items (title,
    owner's username, due date)."""
    lessons = [
        f"{lesson.category}: {lesson.text}" for lesson in postmortem.lessons.order_by("order", "pk")
    ]
    actions = [
        " | ".join(
            (
                action.title,
                action.owner.username if action.owner else "",
                action.due_date.isoformat() if action.due_date else "",
            )
        )
        for action in postmortem.actions.select_related("owner").order_by("pk")
        if action.status != action.Status.CANCELLED
    ]
    return {
        "incident": postmortem.incident.reference,
        "revision": str(postmortem.revision),
        "title": postmortem.title,
        "summary": postmortem.summary,
        "impact": postmortem.impact,
        "root_cause": postmortem.root_cause,
        "contributing_factors": postmortem.contributing_factors,
        "went_well": postmortem.went_well,
        "to_improve": postmortem.to_improve,
        "timeline": "\n".join(timeline_lines(postmortem)),
        "lessons": "\n".join(lessons),
        "actions": "\n".join(actions),
    }


def open_reason(postmortem: PostMortem) -> str:
    if postmortem.status == PostMortem.Status.IN_REVIEW:
        return ""
    if postmortem.status == PostMortem.Status.DRAFT:
        return "This post-mortem is a draft: its author has not submitted it for review."
    if postmortem.status == PostMortem.Status.APPROVED:
        return "The SRE Lead has approved it already; it waits to be published."
    return "This post-mortem is published: a change comes with a revision, reviewed again."


def register_all() -> None:
    signing.register(
        PostMortem,
        signing.Signable(
            purpose=services.PURPOSE,
            payload=postmortem_payload,
            label=lambda pm: f"{pm.document_id} rev {pm.revision} {pm.title}",
            required_roles=lambda pm: services.SIGNING_ROLES,
            open_reason=open_reason,
            authors=lambda pm: {pm.author_id, pm.submitted_by_id} - {None},
            on_signed=services.on_postmortem_signed,
        ),
    )
