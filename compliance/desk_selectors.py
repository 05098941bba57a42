"""Reads of the notification clocks for the compliance desk, an incident's notifications
page, the notification pack (PDF) and the dashboard panels.

Who reads them: anyone holding `compliance.view_obligation` (DPO, Legal Counsel and the
Auditor, who reads only); the incident's own page also needs `incidents.view_incident`.

The desk lists obligations by time left: `due_at, id` ascending, which is the order of
the partial index `obligation_open_due` (status open), so a page of running clocks is an
index range read whatever the table holds; clocks with no computable due time (no fixed
period, or a stage waiting for another's submission) come last (NULLs sort last). Overdue
clocks come first by that order alone. Provisional clocks (a fact they need is missing, so
they run from detection) are also shown in a box of their own above the list. Every list
reads only the columns it shows, the incident in the same query.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Prefetch, QuerySet

from bcp_portal.catalogue.models import CompetentAuthority, LegalEntity
from bcp_portal.core.people import display_name
from bcp_portal.core.roles import DPO, LEGAL_COUNSEL, has_role
from bcp_portal.core.typehints import Actor
from compliance.deadlines import types
from compliance.models_notifications import (
    IncidentFact,
    NotificationRegime,
    Obligation,
    Submission,
)
from compliance.notification_selectors import facts_of, is_overdue, overdue_q, provisional_q
from compliance.notifications import (  # noqa: F401  (re-exported for the pages)
    MANUAL_REGIME,
    PERM_FACT_ADD,
    PERM_OBLIGATION_ADD,
    PERM_OBLIGATION_WAIVE,
    PERM_SUBMISSION,
)

PERM_VIEW = "compliance.view_obligation"
PERM_VIEW_INCIDENT = "incidents.view_incident"
# The write permissions the pages offer forms for: the services' own (they check them again).
PERM_FACT = PERM_FACT_ADD
# The roles whose dashboard shows the clocks (the Auditor reads the desk only).
PANEL_ROLES = (DPO, LEGAL_COUNSEL)
# By time left, clocks without a due time last: PostgreSQL's own order for an ascending
# column (so the partial index serves it), said explicitly for SQLite (NULLs first there).
BY_TIME_LEFT = F("due_at").asc(nulls_last=True)
# The stages of the regimes data file that notify a GDPR supervisory authority.
GDPR_AUTHORITY_STAGES = frozenset(
    {
        ("eu_gdpr_art33_art34", "supervisory_authority"),
        ("uk_gdpr_ico", "ico_notification"),
    }
)
# An "any status" value of the desk's status filter (empty means open: running clocks).
ANY_STATUS = "any"

# The columns a desk row shows.
ROW_COLUMNS = (
    "pk",
    "incident_id",
    "incident__reference",
    "incident__title",
    "regime_key",
    "regime_name",
    "stage_name",
    "notify",
    "entity",
    "status",
    "manual",
    "counting",
    "anchor_at",
    "provisional",
    "due_at",
    "due_date",
    "local_zone",
    "verified",
    "waiting_for",
    "submitted_at",
)


def may_view(user: Actor) -> bool:
    return user.has_perm(PERM_VIEW)


def sees_clock_panels(user: Actor) -> bool:
    """The dashboard's clock panels: the DPO and Legal Counsel (with the permission)."""
    # The permission first: its query brings the roles along (has_role then reads none).
    return may_view(user) and has_role(user, *PANEL_ROLES)


def is_gdpr_authority_stage(obligation: Obligation) -> bool:
    """A GDPR (or UK GDPR) notification to the supervisory authority (the ICO in the UK):
    the stage whose content the portal drafts (Art. 33(3))."""
    return (obligation.regime_key, obligation.stage_key) in GDPR_AUTHORITY_STAGES


def desk_queryset() -> QuerySet[Obligation]:
    """Every obligation as a desk row reads it, by time left (the index's order)."""
    return (
        Obligation.objects.select_related("incident")
        .only(*[c for c in ROW_COLUMNS if c not in ("pk", "incident_id")])
        .order_by(BY_TIME_LEFT, "pk")
    )


def filter_desk(
    qs: QuerySet[Obligation],
    *,
    status: str = "",
    due: bool | None = None,
    due_before: dt.datetime | None = None,
) -> QuerySet[Obligation]:
    """What the desk adds to `notification_selectors.filter_obligations` (validated by
    `desk_forms.DeskFilterSet`): `status` empty means open (the running clocks) and
    ANY_STATUS every status; `due` True: submissions due (open, the clock's anchor
    happened, so a notification can be made now); `due_before`: the "due within" window."""
    if status == "":
        qs = qs.filter(status=Obligation.Status.OPEN)
    if due is True:
        qs = qs.filter(status=Obligation.Status.OPEN, anchor_at__isnull=False)
    elif due is False:
        qs = qs.exclude(status=Obligation.Status.OPEN, anchor_at__isnull=False)
    if due_before is not None:
        qs = qs.filter(due_at__lt=due_before)
    return qs


@dataclass(frozen=True)
class Clock:
    """One obligation as a row shows it, with its time left at `now`."""

    obligation: Obligation
    overdue: bool
    seconds_left: int | None  # negative when overdue; None without a due time

    @property
    def anchor_label(self) -> str:
        """What the clock runs from, in words."""
        return anchor_label(self.obligation.anchor)

    @property
    def countdown(self) -> str:
        return "" if self.seconds_left is None else countdown_text(self.seconds_left)


def anchor_label(anchor: str) -> str:
    """A DATED_FACTS kind's label, or "the submission of <stage>" for a submission anchor."""
    if anchor.startswith(types.SUBMISSION_ANCHOR_PREFIX):
        stage = anchor.removeprefix(types.SUBMISSION_ANCHOR_PREFIX).replace("_", " ")
        return f"the submission of the {stage} stage"
    return types.DATED_FACTS.get(anchor, anchor.replace("_", " "))


def countdown_text(seconds: int) -> str:
    """ "3 d 4 h 5 min left", "12 min 30 s left", "overdue by 2 h 0 min": the words
    static/js/countdown.js then keeps up to date (the same rules, written there again)."""
    left = abs(seconds)
    days, hours, minutes = left // 86400, left % 86400 // 3600, left % 3600 // 60
    parts = []
    if days:
        parts.append(f"{days} d")
    if days or hours:
        parts.append(f"{hours} h")
    parts.append(f"{minutes} min")
    if not days and not hours:
        parts.append(f"{left % 60} s")
    text = " ".join(parts)
    return f"{text} left" if seconds >= 0 else f"overdue by {text}"


def clocks(obligations: Any, now: dt.datetime) -> list[Clock]:
    """Rows with their time left (no query: the obligations are read already)."""
    rows = []
    for o in obligations:
        left = None if o.due_at is None else math.floor((o.due_at - now).total_seconds())
        rows.append(Clock(obligation=o, overdue=is_overdue(o, now), seconds_left=left))
    return rows


def regime_choices() -> list[tuple[str, str]]:
    """The regimes a desk filter offers (one query), and obligations added by hand."""
    regimes = NotificationRegime.objects.order_by("name").values_list("key", "name")
    return [*regimes, (MANUAL_REGIME, "Added by hand")]


def entity_choices() -> list[tuple[str, str]]:
    names = LegalEntity.objects.order_by("name").values_list("name", flat=True)
    return [(name, name) for name in names]


# --- The dashboard panels -----------------------------------------------------------------


def running_clocks(limit: int) -> list[Obligation]:
    """The open obligations with a due time, soonest (or most overdue) first."""
    return list(desk_queryset().filter(status=Obligation.Status.OPEN, due_at__isnull=False)[:limit])


def submissions_due(limit: int) -> list[Obligation]:
    """Open obligations whose anchor happened: a notification can (and must) be made now,
    including those "without undue delay" that have no fixed due time (listed last)."""
    return list(
        desk_queryset().filter(status=Obligation.Status.OPEN, anchor_at__isnull=False)[:limit]
    )


def overdue_and_provisional(now: dt.datetime, limit: int) -> list[Obligation]:
    """Open obligations past their due time or running provisionally from detection."""
    return list(desk_queryset().filter(overdue_q(now) | provisional_q())[:limit])


def provisional_clocks(limit: int) -> list[Obligation]:
    return list(desk_queryset().filter(status=Obligation.Status.OPEN, provisional=True)[:limit])


# --- One incident's notifications ----------------------------------------------------------


def incident_facts(incident_id: int) -> list[IncidentFact]:
    """The incident's current facts with who recorded them (one query)."""
    return list(facts_of(incident_id))


def incident_obligations(incident_id: int) -> list[Obligation]:
    """The incident's obligations, each with its submissions as a plain list
    (`submission_list`, newest first; the attachment's bytes stay in the database), by
    time left, then regime and stage. Two queries."""
    submissions = (
        Submission.objects.select_related("submitted_by", "authority")
        .defer("attachment")
        .order_by("-submitted_at", "-pk")
    )
    return list(
        Obligation.objects.filter(incident_id=incident_id)
        .select_related("status_changed_by")
        .prefetch_related(Prefetch("submissions", queryset=submissions, to_attr="submission_list"))
        .order_by(BY_TIME_LEFT, "regime_name", "pk")
    )


def authorities() -> list[CompetentAuthority]:
    """The active competent authorities, for the submission form's picker."""
    return list(CompetentAuthority.objects.filter(is_active=True).order_by("jurisdiction", "name"))


@dataclass(frozen=True)
class Event:
    """A line of the notification timeline: a dated fact or a submission, in time order."""

    at: dt.datetime
    what: str
    detail: str
    who: Any


def notification_timeline(
    incident: Any, facts: list[IncidentFact], obligations: list[Obligation]
) -> list[Event]:
    """Detection, the dated facts and the submissions, oldest first (no query)."""
    events = [Event(incident.detected_at, "Detection", "The incident was detected.", None)]
    for fact in facts:
        if fact.occurred_at is not None:
            events.append(
                Event(
                    fact.occurred_at,
                    fact.get_kind_display(),
                    fact.reason,
                    display_name(fact.recorded_by),
                )
            )
    for obligation in obligations:
        for s in getattr(obligation, "submission_list", []):
            reference = f" (reference {s.reference_number})" if s.reference_number else ""
            events.append(
                Event(
                    s.submitted_at,
                    f"Submitted: {obligation.regime_name}, {obligation.stage_name}"
                    f"{obligation.unverified_note}",
                    f"To {s.recipient}{reference}",
                    display_name(s.submitted_by),
                )
            )
    return sorted(events, key=lambda e: e.at)


def submission_with_attachment(pk: int) -> Submission | None:
    return (
        Submission.objects.select_related("obligation")
        .only(
            "pk",
            "attachment",
            "attachment_name",
            "attachment_type",
            "obligation__incident_id",
        )
        .filter(pk=pk)
        .first()
    )
