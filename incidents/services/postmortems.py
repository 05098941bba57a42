"""Post-mortems: start, save, submit for review, sign the review, publish, revise.

Which incidents take one: a restored or closed incident (the post-mortem looks back at a
recovery; an incident still being fought has no "what went well" yet). One per incident.

States: draft -> in review (submitted by an editor) -> approved (the SRE Lead's approval,
signed through `bcp_portal.core.signing`) -> published. A rejection, with its comment,
sends it back to draft. A published post-mortem changes only through a revision with a
reason: revision + 1, a draft again, reviewed and published again; the history tables keep
every earlier value. Its timeline is the incident's own, never retyped.

Who may change one (`postmortem_may_edit`): holders of the change permission who are its
author, the incident's commander or responders, or the SRE Lead. The SRE Lead signs; the
author and whoever submitted it may not sign their own review (separation of duties).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from bcp_portal.actions.models import Action
from bcp_portal.actions.services import (
    action_create,
    action_transition,
    action_update,
    action_withdraw,
    actions_accept,
)
from bcp_portal.core import signing
from bcp_portal.core.models import SignOff
from bcp_portal.core.outbox import outbox_add
from bcp_portal.core.roles import SRE_LEAD, has_role, require_perm
from bcp_portal.core.services import apply_changes, save_audited
from bcp_portal.core.typehints import Actor
from incidents.models import Incident
from incidents.models_postmortems import (
    MAX_REASON_CHARS,
    POSTMORTEM_ACTIONS_MAX,
    POSTMORTEM_LESSONS_MAX,
    PostMortem,
    PostMortemLesson,
)

PURPOSE = "postmortem_review"
SIGNING_ROLES = (SRE_LEAD,)
PERM_ADD = "incidents.add_postmortem"
PERM_CHANGE = "incidents.change_postmortem"
FIELDS = (
    "title",
    "summary",
    "impact",
    "root_cause",
    "contributing_factors",
    "went_well",
    "to_improve",
)
LESSON_FIELDS = ("category", "text")
ACTION_FIELDS = ("title", "owner", "due_date", "priority")
WRITABLE_STATUSES = (Incident.Status.RESTORED, Incident.Status.CLOSED)

NOT_RESTORED = (
    "A post-mortem is written once service is restored: this incident is {status}. Restore "
    "or close it first."
)
NOT_DRAFT = "This post-mortem is {status}: only a draft changes. {hint}"
EDITORS_ONLY = (
    "Only the post-mortem's author, the incident's commander and responders, and the SRE "
    "Lead may change this post-mortem."
)


@dataclass
class PostMortemData:
    """What the page or the API carries. `lessons` and `actions` are lists of dicts: one
    with an `id` updates that row, one without adds a row, rows not listed are removed
    (a proposed action is withdrawn, a live one cancelled). None leaves a section alone."""

    fields: dict[str, Any] = field(default_factory=dict)
    lessons: list[dict[str, Any]] | None = None
    actions: list[dict[str, Any]] | None = None


class PostMortemExists(ValidationError):
    def __init__(self, postmortem: PostMortem) -> None:
        self.postmortem = postmortem
        super().__init__(
            {
                "incident": "This incident has its post-mortem already; change that one: "
                f"{reverse('postmortems:detail', args=[postmortem.incident_id])}."
            },
            code="postmortem_exists",
        )


def _hint(postmortem: PostMortem) -> str:
    if postmortem.status == PostMortem.Status.PUBLISHED:
        return "Open a revision, with a reason, to change it."
    return "Wait for the SRE Lead's review; a rejection makes it a draft again."


def postmortem_may_edit(user: Actor, postmortem: PostMortem) -> bool:
    if not (user.is_authenticated and user.has_perm(PERM_CHANGE)):
        return False
    if postmortem.author_id == user.pk or has_role(user, SRE_LEAD):
        return True
    incident = postmortem.incident
    if incident.commander_id == user.pk:
        return True
    return incident.responder_links.filter(user_id=user.pk).exists()


def _require_may_edit(user: Actor, postmortem: PostMortem) -> None:
    require_perm(user, PERM_CHANGE)
    if not postmortem_may_edit(user, postmortem):
        raise PermissionDenied(EDITORS_ONLY)


def _require_draft(postmortem: PostMortem) -> None:
    if not postmortem.is_editable:
        raise ValidationError(
            NOT_DRAFT.format(
                status=postmortem.get_status_display().lower(), hint=_hint(postmortem)
            ),
            code="postmortem_locked",
        )


def postmortem_refuses_action(user: Actor, postmortem: PostMortem) -> str | None:
    """The post-mortem's `ActionSource.refuse_add`: only a draft takes a new action (what the
    SRE Lead signed, and what was published, keeps its actions)."""
    if postmortem.is_editable:
        return None
    return (
        f"{postmortem.document_id} is {postmortem.get_status_display().lower()}: a new action "
        f"comes with a draft. {_hint(postmortem)}"
    )


def postmortem_refusal(incident: Incident) -> str:
    """Why `incident` takes no post-mortem now ("" when it does)."""
    if incident.status not in WRITABLE_STATUSES:
        return NOT_RESTORED.format(status=incident.get_status_display().lower())
    return ""


@transaction.atomic
def postmortem_start(*, actor: Actor, incident: Incident, title: str = "") -> PostMortem:
    """Open the draft post-mortem of a restored or closed incident."""
    require_perm(actor, PERM_ADD)
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    existing = PostMortem.objects.filter(incident=incident).first()
    if existing is not None:
        raise PostMortemExists(existing)
    if reason := postmortem_refusal(incident):
        raise ValidationError({"incident": reason}, code="incident_not_restored")
    postmortem = PostMortem(
        incident=incident,
        title=(title.strip() or incident.title)[:200],
        author=cast(User, actor),
    )
    return save_audited(postmortem, actor=actor)


@transaction.atomic
def postmortem_save(*, actor: Actor, postmortem: PostMortem, data: PostMortemData) -> PostMortem:
    """Save what was typed into a draft (sections are checked when it is submitted)."""
    postmortem = PostMortem.objects.select_for_update().get(pk=postmortem.pk)
    _require_may_edit(actor, postmortem)
    _require_draft(postmortem)
    unknown = set(data.fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"Unknown post-mortem fields: {sorted(unknown)}")
    check_row_limits(data)
    if apply_changes(postmortem, data.fields):
        save_audited(postmortem, actor=actor)
    if data.lessons is not None:
        _sync_lessons(actor, postmortem, data.lessons)
    if data.actions is not None:
        _sync_actions(actor, postmortem, data.actions)
    return postmortem


def check_row_limits(data: PostMortemData) -> None:
    errors: dict[str, str] = {}
    if data.lessons is not None and len(data.lessons) > POSTMORTEM_LESSONS_MAX:
        errors["lessons"] = f"At most {POSTMORTEM_LESSONS_MAX} lessons."
    if data.actions is not None and len(data.actions) > POSTMORTEM_ACTIONS_MAX:
        errors["actions"] = f"At most {POSTMORTEM_ACTIONS_MAX} action items."
    if errors:
        raise ValidationError(errors)


def _sync_lessons(actor: Actor, postmortem: PostMortem, rows: list[dict[str, Any]]) -> None:
    existing: dict[Any, PostMortemLesson] = {
        lesson.pk: lesson for lesson in postmortem.lessons.all()
    }
    keep: set[int] = set()
    for order, row in enumerate(rows, start=1):
        lesson = existing.get(row.get("id")) if row.get("id") else None
        if row.get("id") and lesson is None:
            raise ValidationError({"lessons": f"Lesson {order}: no such lesson here."})
        lesson = lesson or PostMortemLesson(postmortem=postmortem)
        values = {name: row[name] for name in LESSON_FIELDS if name in row}
        values["order"] = order
        if lesson.pk is None or apply_changes(lesson, values):
            for name, value in values.items():
                setattr(lesson, name, value)
            try:
                save_audited(lesson, actor=actor)
            except ValidationError as exc:
                raise ValidationError(
                    {"lessons": [f"Lesson {order}: {' '.join(exc.messages)}"]}
                ) from exc
        keep.add(lesson.pk)
    for pk, lesson in existing.items():
        if pk not in keep:
            lesson._history_user = actor  # type: ignore[attr-defined]  # read by django-simple-history
            lesson.delete()


def _sync_actions(actor: Actor, postmortem: PostMortem, rows: list[dict[str, Any]]) -> None:
    """As a drill report's: actions typed into a draft are proposals, opened when the
    post-mortem is published; one taken out is withdrawn (a proposal) or cancelled."""
    existing: dict[Any, Action] = {a.pk: a for a in postmortem.actions.select_related("owner")}
    keep = set()
    for number, row in enumerate(rows, start=1):
        values: dict[str, Any] = {name: row.get(name) for name in ACTION_FIELDS if name in row}
        action = existing.get(row.get("id")) if row.get("id") else None
        if row.get("id") and action is None:
            raise ValidationError({"actions": f"Action {number}: no such action here."})
        if action is None:
            action = _on_action(
                number,
                values.get("title", ""),
                lambda v=values: action_create(actor=actor, source=postmortem, **v),  # type: ignore[misc]  # a default argument binds the row
            )
        elif any(getattr(action, name) != value for name, value in values.items()):
            _on_action(
                number,
                action.title,
                lambda a=action, v=values: action_update(actor=actor, action=a, **v),  # type: ignore[misc]  # as above
            )
        keep.add(action.pk)
    for pk, action in existing.items():
        if pk in keep:
            continue
        if action.status == Action.Status.PROPOSED:
            _on_action(None, action.title, lambda a=action: action_withdraw(actor=actor, action=a))  # type: ignore[misc]  # as above
        elif action.status in Action.OPEN_STATUSES:
            _on_action(
                None,
                action.title,
                lambda a=action: action_transition(  # type: ignore[misc]  # as above
                    actor=actor,
                    action=a,
                    status=Action.Status.CANCELLED,
                    comment=f"Removed from {postmortem.document_id}, "
                    f"revision {postmortem.revision}.",
                ),
            )


def _on_action(number: int | None, title: str, change: Callable[[], Any]) -> Any:
    try:
        return change()
    except (PermissionDenied, ValidationError) as exc:
        which = f"Action {number} (“{title}”)" if number else f"Action “{title}”"
        reason = " ".join(getattr(exc, "messages", None) or [str(exc)])
        raise ValidationError({"actions": [f"{which}: {reason}"]}) from exc


def postmortem_problems(postmortem: PostMortem) -> dict[str, list[str]]:
    """What stops a post-mortem from going to review, by field (empty when complete)."""
    problems: dict[str, list[str]] = {}
    needed = {
        "summary": "Summarise the incident.",
        "impact": "Describe the impact on customers.",
        "root_cause": "Give the root cause (or what is known of it).",
    }
    for name, message in needed.items():
        if not getattr(postmortem, name).strip():
            problems.setdefault(name, []).append(message)
    if not postmortem.lessons.exists():
        problems.setdefault("lessons", []).append("Record at least one lesson learned.")
    live = postmortem.actions.exclude(status=Action.Status.CANCELLED).order_by("pk")
    for number, action in enumerate(live, start=1):
        if action.owner_id is None or action.due_date is None:
            problems.setdefault("actions", []).append(
                f"Action {number} (“{action.title}”): give an owner and a due date."
            )
    return problems


@transaction.atomic
def postmortem_submit(*, actor: Actor, postmortem: PostMortem) -> PostMortem:
    """Send a complete draft to the SRE Lead for review."""
    postmortem = PostMortem.objects.select_for_update().get(pk=postmortem.pk)
    _require_may_edit(actor, postmortem)
    _require_draft(postmortem)
    problems = postmortem_problems(postmortem)
    if problems:
        raise ValidationError(problems)
    postmortem.status = PostMortem.Status.IN_REVIEW
    postmortem.submitted_by = cast(User, actor)
    postmortem.submitted_at = timezone.now()
    save_audited(postmortem, actor=actor)
    outbox_add(
        key=f"postmortem:{postmortem.pk}:r{postmortem.revision}:submitted:"
        f"{postmortem.submitted_at:%Y%m%dT%H%M%S%f}",
        to_role=SRE_LEAD,
        subject=f"Post-mortem to review: {postmortem.incident.reference} {postmortem.title}",
        body=(
            f"{actor} submitted the post-mortem of {postmortem.incident.reference} "
            f"(revision {postmortem.revision}) for your review."
        ),
        url=reverse("postmortems:sign", args=[postmortem.incident_id]),
    )
    return postmortem


def postmortem_sign(
    *,
    actor: Actor,
    postmortem: PostMortem,
    role: str,
    decision: str,
    comment: str = "",
    shown_hash: str,
    password: str,
    code: str | None,
) -> SignOff:
    """The SRE Lead's review: approve, or reject with a comment (back to draft)."""
    return signing.sign(
        signer=actor,
        subject=postmortem,
        role=role,
        decision=decision,
        comment=comment,
        shown_hash=shown_hash,
        password=password,
        code=code,
    )


def on_postmortem_signed(postmortem: PostMortem, signoff: SignOff, actor: Actor) -> None:
    """Called by the signing service inside its transaction."""
    url = reverse("postmortems:detail", args=[postmortem.incident_id])
    reference = postmortem.incident.reference
    if signoff.decision == SignOff.Decision.REJECT:
        signing.signoffs_void(
            subject=postmortem, reason=f"Rejected by {actor} as {signoff.role}.", actor=actor
        )
        postmortem.status = PostMortem.Status.DRAFT
        postmortem._change_reason = f"Rejected: {signoff.comment}"[:100]  # type: ignore[attr-defined]  # read by django-simple-history
        save_audited(postmortem, actor=actor)
        verdict, body = (
            "rejected",
            f"{actor} rejected it:\n\n{signoff.comment}\n\nIt is a draft again.",
        )
    else:
        postmortem.status = PostMortem.Status.APPROVED
        save_audited(postmortem, actor=actor)
        verdict, body = "approved", f"{actor} approved it; it can be published."
    for user in {postmortem.author, postmortem.submitted_by} - {None}:
        outbox_add(
            key=f"postmortem:{postmortem.pk}:signoff:{signoff.pk}:{user.pk}",  # type: ignore[union-attr]  # None removed above
            to_user=user,
            subject=f"Post-mortem {verdict}: {reference} {postmortem.title}",
            body=body,
            url=url,
        )


def postmortem_approved(postmortem: PostMortem) -> bool:
    """The SRE Lead approved exactly the current content."""
    return not signing.missing_roles(postmortem)


@transaction.atomic
def postmortem_publish(*, actor: Actor, postmortem: PostMortem) -> PostMortem:
    """Publish an approved post-mortem; its proposed actions open in the tracker."""
    postmortem = PostMortem.objects.select_for_update().get(pk=postmortem.pk)
    _require_may_edit(actor, postmortem)
    if postmortem.status != PostMortem.Status.APPROVED:
        raise ValidationError(
            {
                "status": "Only an approved post-mortem is published: submit it for review, and "
                "the SRE Lead approves it."
            },
            code="not_approved",
        )
    if not postmortem_approved(postmortem):
        raise ValidationError(
            {
                "status": "The content changed since the SRE Lead approved it (the incident's "
                "timeline, perhaps): submit it for review again."
            },
            code="approval_stale",
        )
    postmortem.status = PostMortem.Status.PUBLISHED
    postmortem.published_by = cast(User, actor)
    postmortem.published_at = timezone.now()
    save_audited(postmortem, actor=actor)
    actions_accept(actor=actor, source=postmortem)
    return postmortem


@transaction.atomic
def postmortem_revise(*, actor: Actor, postmortem: PostMortem, reason: str) -> PostMortem:
    """Open revision N+1 of a published post-mortem, with the reason, as a draft."""
    postmortem = PostMortem.objects.select_for_update().get(pk=postmortem.pk)
    _require_may_edit(actor, postmortem)
    reason = (reason or "").strip()
    if postmortem.status != PostMortem.Status.PUBLISHED:
        raise ValidationError(
            {
                "status": "Only a published post-mortem takes a revision; this one is "
                f"{postmortem.get_status_display().lower()}."
            },
            code="not_published",
        )
    if not reason:
        raise ValidationError({"reason": "Say why the post-mortem needs a revision."})
    if len(reason) > MAX_REASON_CHARS:
        raise ValidationError({"reason": f"Keep the reason under {MAX_REASON_CHARS} characters."})
    signing.signoffs_void(
        subject=postmortem, reason=f"Revision {postmortem.revision + 1} opened.", actor=actor
    )
    postmortem.status = PostMortem.Status.DRAFT
    postmortem.revision += 1
    postmortem.revision_reason = reason
    postmortem.submitted_at = None
    postmortem.submitted_by = None
    postmortem.published_at = None
    postmortem.published_by = None
    postmortem._change_reason = f"Revision {postmortem.revision}: {reason}"[:100]  # type: ignore[attr-defined]  # read by django-simple-history
    save_audited(postmortem, actor=actor)
    return postmortem
