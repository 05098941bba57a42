"""PDF of a post-mortem: the runbook template's sections (7.1.1), the incident's timeline,
action items, lessons by category, and a sign-off page (the SRE Lead's review: signer,
role, decision, time, the SHA-256 signed and whether it is still the current content).

A post-mortem is a few pages: rendered in the request (`bcp_portal.core.pdf`).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from bcp_portal.core import signing
from bcp_portal.core.models import SignOff
from bcp_portal.core.pdf import DocumentControl
from bcp_portal.core.people import display_name
from incidents.models_postmortems import PostMortem, PostMortemLesson

TEMPLATE = "print/postmortem.html"
VERIFY_SENTENCE = (
    "Each hash is the SHA-256 over the canonical form v{v} (docs/signing.md) of the "
    "post-mortem's incident reference, revision, title, sections, timeline, lessons and "
    "action items, with \u201cpurpose\u201d: \u201c{purpose}\u201d."
)


def lessons_by_category(postmortem: PostMortem) -> list[tuple[str, list[PostMortemLesson]]]:
    """Lessons grouped under their category, in the categories' order."""
    groups: OrderedDict[str, list[PostMortemLesson]] = OrderedDict(
        (label, []) for _, label in PostMortemLesson.Category.choices
    )
    for lesson in postmortem.lessons.all():
        groups[lesson.get_category_display()].append(lesson)
    return [(label, rows) for label, rows in groups.items() if rows]


def signoffs(postmortem: PostMortem) -> list[SignOff]:
    """Every decision on the review (approvals and rejections), oldest first."""
    return list(signing.signoffs_for(postmortem).order_by("signed_at", "pk"))


def postmortem_document(postmortem: PostMortem) -> tuple[str, dict[str, Any], str]:
    """(template, context, filename); `postmortem` from postmortem_detail_queryset()."""
    incident = postmortem.incident
    published = postmortem.status == PostMortem.Status.PUBLISHED
    status = postmortem.get_status_display()
    current_hash = signing.subject_hash(postmortem)
    control = DocumentControl(
        document_id=postmortem.document_id,
        title=postmortem.title,
        revision=f"{postmortem.revision} ({status if published else 'NOT PUBLISHED: ' + status})",
        owner=display_name(postmortem.author) if postmortem.author else "",
        submitted_by=display_name(postmortem.submitted_by) if postmortem.submitted_by else "",
    )
    rows = signoffs(postmortem)
    context = {
        "document": control,
        "postmortem": postmortem,
        "incident": incident,
        "published": published,
        "status": status,
        "timeline": getattr(incident, "timeline_rows", None) or list(incident.timeline.all()),
        "actions": [
            a
            for a in (getattr(postmortem, "action_rows", None) or list(postmortem.actions.all()))
            if a.status != a.Status.CANCELLED
        ],
        "lesson_groups": lessons_by_category(postmortem),
        "signoffs": [(s, s.content_sha256 == current_hash) for s in rows],
        "current_hash": current_hash,
        "verify_sentence": VERIFY_SENTENCE.format(
            v=signing.CANONICAL_VERSION, purpose=signing.signable_for(postmortem).purpose
        ),
    }
    return TEMPLATE, context, f"{postmortem.document_id}_rev{postmortem.revision}.pdf"
