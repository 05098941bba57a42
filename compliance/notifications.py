"""Every write on an incident's notification clocks: facts, obligations, submissions.

The clocks are the deadline engine's answers written down: `obligations_evaluate` builds the
incident's `Case` (`notification_cases`), asks the engine with the regimes switched on
(`compliance.regime_loader.engine_regimes`), and `notification_sync` writes what differs.
Everything that can move a clock re-evaluates: recording a fact and recording a submission
here, inline, in the same transaction (the page shows the new due times at once); a change
of the incident itself through a task enqueued on commit (`compliance.apps`), so the
incident's write path stays as fast as it was.

Who may do what (bcp_portal/core/data/roles.json):
- record or change a fact: `compliance.add_incidentfact` / `change_incidentfact` (DPO and
  Legal Counsel: these are legal judgements, such as when the controller became aware);
- add or waive an obligation: `compliance.add_obligation` / `change_obligation` (the DPO);
- record a submission: `compliance.add_submission` (DPO and Legal Counsel).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import unicodedata
import uuid
import zipfile
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from bcp_portal.catalogue.models import CompetentAuthority
from bcp_portal.core import limits
from bcp_portal.core.models import validate_time_zone
from bcp_portal.core.roles import require_perm
from bcp_portal.core.services import apply_changes, save_audited
from bcp_portal.core.typehints import Actor
from compliance.deadlines import types
from compliance.deadlines.engine import evaluate
from compliance.models_notifications import (
    MAX_CONTENT_CHARS,
    MAX_EVIDENCE_CHARS,
    MAX_REASON_CHARS,
    IncidentFact,
    Obligation,
    Submission,
)
from compliance.notification_cases import Organisation, case_for_incident
from compliance.notification_sync import obligations_sync
from compliance.regime_loader import EngineRegimes, engine_regimes
from incidents.models import Incident

PERM_FACT_ADD = "compliance.add_incidentfact"
PERM_FACT_CHANGE = "compliance.change_incidentfact"
PERM_OBLIGATION_ADD = "compliance.add_obligation"
PERM_OBLIGATION_WAIVE = "compliance.change_obligation"
PERM_SUBMISSION = "compliance.add_submission"

MANUAL_REGIME = "manual"
DATED_KINDS = frozenset(k for k in types.DATED_FACTS if k != types.DETECTION)
EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
LATE_MESSAGE = "It was made after the due time: give the reasons for the delay (GDPR Art. 33(1))."


def _user(actor: Actor) -> User:
    """The acting account (the permission check before it refused anyone signed out)."""
    if not isinstance(actor, User):
        raise PermissionDenied("Sign in to do this.")
    return actor


def _lock_incident(incident_id: int) -> None:
    """Lock the incident's row before any of its facts or obligations: every write here and
    every evaluation takes the locks in that order, so two of them never deadlock."""
    list(Incident.objects.select_for_update().filter(pk=incident_id).values_list("pk"))


def _lock_obligation(obligation: Obligation) -> Obligation:
    incident_id = (
        Obligation.objects.filter(pk=obligation.pk).values_list("incident_id", flat=True).get()
    )
    _lock_incident(incident_id)
    return Obligation.objects.select_for_update().get(pk=obligation.pk)


def _skew() -> dt.timedelta:
    return dt.timedelta(seconds=limits.NOTIFICATION_CLOCK_SKEW_SECONDS)


def check_moment(value: Any, *, field: str, now: dt.datetime | None = None) -> dt.datetime:
    """A time a person states (a fact, a submission): aware, 1900 or later, not ahead of now.

    The one rule for every such time: forms, serializers and the services call it.
    """
    if not isinstance(value, dt.datetime):
        raise ValidationError({field: "Give a date and time."})
    if timezone.is_naive(value):
        raise ValidationError({field: "Give the time with its time zone."})
    if value < EARLIEST:
        raise ValidationError({field: "Give a time in 1900 or later."})
    if value > (now or timezone.now()) + _skew():
        raise ValidationError({field: "This time is in the future."})
    return value


def _require_text(value: str, *, field: str, message: str, max_chars: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    if len(value) > max_chars:
        raise ValidationError({field: f"At most {max_chars:,} characters."})
    return value


def _zone(time_zone: str, *, default: str) -> str:
    zone = time_zone or default
    try:
        validate_time_zone(zone)
    except ValidationError as exc:
        raise ValidationError({"time_zone": exc.messages}) from exc
    return zone


def fact_values(
    *,
    kind: str,
    occurred_at: dt.datetime | None,
    time_zone: str,
    value: str,
    region: str,
    count: int | None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """What a fact of `kind` stores, checked: each kind takes its own fields and no other."""
    errors: dict[str, str] = {}
    if kind not in dict(IncidentFact.KIND_CHOICES):
        raise ValidationError({"kind": f"Unknown kind of fact: {kind!r}."})
    if kind in DATED_KINDS:
        if occurred_at is None:
            errors["occurred_at"] = "Give when it happened."
        if value:
            errors["value"] = "Only the GDPR risk level takes a value."
    elif occurred_at is not None:
        errors["occurred_at"] = "Only a dated fact takes a time: leave it empty."
    if kind == IncidentFact.GDPR_RISK:
        if value not in types.GDPR_RISK_LEVELS:
            errors["value"] = "Choose the risk level: " + ", ".join(types.GDPR_RISK_LEVELS) + "."
    elif kind == IncidentFact.PERSONS_AFFECTED:
        if not region:
            errors["region"] = "Give the country or US state (FR, US-CA...)."
        if count is None:
            errors["count"] = "Give how many persons are affected there."
        if value:
            errors["value"] = "Only the GDPR risk level takes a value."
    if kind != IncidentFact.PERSONS_AFFECTED:
        if region:
            errors["region"] = "Only persons affected are counted per region."
        if count is not None:
            errors["count"] = "Only persons affected take a count."
    if count is not None and (not isinstance(count, int) or count < 0):
        errors["count"] = "Give a whole number, 0 or more."
    if errors:
        raise ValidationError(errors)
    if occurred_at is not None:
        check_moment(occurred_at, field="occurred_at", now=now)
    zone = _zone(time_zone, default=timezone.get_current_timezone_name())
    return {
        "occurred_at": occurred_at,
        "time_zone": zone,
        "value": value,
        "region": region,
        "count": count,
    }


@transaction.atomic
def fact_record(
    *,
    actor: Actor,
    incident: Incident,
    kind: str,
    occurred_at: dt.datetime | None = None,
    time_zone: str = "",
    value: str = "",
    region: str = "",
    count: int | None = None,
    reason: str,
    evidence: str = "",
) -> IncidentFact:
    """Record the incident's fact of `kind` (for `region`), or change the current one.

    One current fact per incident, kind and region; a change keeps the old one in the
    history with who changed it and why. The incident's clocks follow at once.
    """
    _lock_incident(incident.pk)
    current = (
        IncidentFact.objects.select_for_update()
        .filter(incident=incident, kind=kind, region=region)
        .first()
    )
    require_perm(actor, PERM_FACT_CHANGE if current else PERM_FACT_ADD)
    fields = fact_values(
        kind=kind,
        occurred_at=occurred_at,
        time_zone=time_zone,
        value=value,
        region=region,
        count=count,
    )
    fields["reason"] = _require_text(
        reason, field="reason", message="Say why this fact stands.", max_chars=MAX_REASON_CHARS
    )
    fields["evidence"] = (evidence or "").strip()
    if len(fields["evidence"]) > MAX_EVIDENCE_CHARS:
        raise ValidationError({"evidence": f"At most {MAX_EVIDENCE_CHARS:,} characters."})
    if current is None:
        fact = IncidentFact(
            incident=incident,
            kind=kind,
            recorded_by=_user(actor),
            recorded_at=timezone.now(),
            **fields,
        )
        save_audited(fact, actor=actor, exclude=["incident", "recorded_by"])
    else:
        fact = current
        if not apply_changes(fact, fields):
            return fact
        fact.recorded_by = _user(actor)
        fact.recorded_at = timezone.now()
        save_audited(fact, actor=actor, exclude=["incident", "recorded_by"])
    obligations_evaluate(incident=incident)
    return fact


def _check_due(due_at: dt.datetime | None) -> dt.datetime | None:
    if due_at is None:
        return None
    if not isinstance(due_at, dt.datetime) or timezone.is_naive(due_at):
        raise ValidationError({"due_at": "Give the due time with its time zone."})
    if not (EARLIEST <= due_at < dt.datetime(3000, 1, 1, tzinfo=dt.UTC)):
        raise ValidationError({"due_at": "Give a time between 1900 and 2999."})
    return due_at


@transaction.atomic
def obligation_add(
    *,
    actor: Actor,
    incident: Incident,
    regime_name: str,
    stage_name: str,
    notify: str,
    due_at: dt.datetime | None,
    reason: str,
) -> Obligation:
    """The DPO adds an obligation the engine does not know of (a contract, a judgement).

    The engine never changes it; it is waived or submitted like any other.
    """
    require_perm(actor, PERM_OBLIGATION_ADD)
    due_at = _check_due(due_at)
    reason = _require_text(
        reason, field="reason", message="Say why it is owed.", max_chars=MAX_REASON_CHARS
    )
    regime_name = _require_text(
        regime_name, field="regime_name", message="Name the law or rule.", max_chars=300
    )
    stage_name = _require_text(
        stage_name, field="stage_name", message="Name the notification.", max_chars=300
    )
    obligation = Obligation(
        incident=incident,
        regime_key=MANUAL_REGIME,
        stage_key=f"manual-{uuid.uuid4().hex[:16]}",
        regime_name=regime_name,
        stage_name=stage_name,
        notify=(notify or "").strip(),
        manual=True,
        required=True,
        reason=reason,
        counting=types.NO_FIXED_PERIOD,
        anchor=MANUAL_REGIME,
        due_at=due_at,
        local_zone=timezone.get_current_timezone_name(),
        rule="Added by hand.",
        basis="The due time was set by hand." if due_at else "No due time was set.",
        verified=True,
        status=Obligation.Status.OPEN,
        status_reason=reason,
        status_changed_by=_user(actor),
    )
    return save_audited(obligation, actor=actor, exclude=["incident", "status_changed_by"])


@transaction.atomic
def obligation_waive(*, actor: Actor, obligation: Obligation, reason: str) -> Obligation:
    """The DPO decides an open obligation is not owed, and says why (kept in its history)."""
    require_perm(actor, PERM_OBLIGATION_WAIVE)
    obligation = _lock_obligation(obligation)
    reason = _require_text(
        reason, field="reason", message="Say why it is waived.", max_chars=MAX_REASON_CHARS
    )
    if obligation.status != Obligation.Status.OPEN:
        status = obligation.get_status_display().lower()
        raise ValidationError(
            {"obligation": f"Only an open obligation can be waived; this one is {status}."}
        )
    obligation.status = Obligation.Status.WAIVED
    obligation.status_reason = reason
    obligation.status_changed_by = _user(actor)
    return save_audited(obligation, actor=actor, exclude=["incident", "status_changed_by"])


# The first bytes of each kind of file the attachments accept (`limits`' types by extension).
_ZIP = (b"PK\x03\x04",)
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}
# Office files are ZIP archives holding this part (Word's document, Excel's workbook).
_OFFICE_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "word/",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xl/",
}
_KIND_NAMES = {
    "application/pdf": "a PDF",
    "image/png": "a PNG image",
    "image/jpeg": "a JPEG image",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "a Word document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "an Excel workbook",
}


def _content_matches(content_type: str, data: bytes) -> bool:
    """Whether `data` looks like a file of `content_type`: its signature for binary kinds, a
    ZIP with the Office part for docx/xlsx, valid UTF-8 without NUL for the text kinds."""
    if content_type in _SIGNATURES:
        return data.startswith(_SIGNATURES[content_type])
    if content_type in _OFFICE_PARTS:
        if not data.startswith(_ZIP):
            return False
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, ValueError, OSError):
            return False
        part = _OFFICE_PARTS[content_type]
        return "[Content_Types].xml" in names and any(n.startswith(part) for n in names)
    # Text: CSV, JSON, XML, plain text, a saved mail.
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def attachment_read(attachment: UploadedFile) -> tuple[str, str, bytes]:
    """(name, type, bytes) of an attached file within the limits, else a field error.

    The type comes from the name's extension, and the content must match it (a PDF starts
    with %PDF-, a docx is a ZIP holding a Word document, text is UTF-8 without NUL...)."""
    name = PurePath(attachment.name or "").name[:255]
    content_type = limits.SUBMISSION_ATTACHMENT_TYPES.get(PurePath(name).suffix.lower())
    if content_type is None:
        allowed = ", ".join(sorted(limits.SUBMISSION_ATTACHMENT_TYPES))
        raise ValidationError({"attachment": f"Attach one of these types: {allowed}."})
    if attachment.size is not None and attachment.size > limits.SUBMISSION_ATTACHMENT_MAX_BYTES:
        raise ValidationError({"attachment": _too_large()})
    data = attachment.read(limits.SUBMISSION_ATTACHMENT_MAX_BYTES + 1)
    if len(data) > limits.SUBMISSION_ATTACHMENT_MAX_BYTES:
        raise ValidationError({"attachment": _too_large()})
    if not data:
        raise ValidationError({"attachment": "The file is empty."})
    if not _content_matches(content_type, data):
        kind = _KIND_NAMES.get(content_type, "UTF-8 text without NUL characters")
        suffix = PurePath(name).suffix.lower()
        raise ValidationError(
            {"attachment": f"The file is named {suffix} but its content is not {kind}."}
        )
    return name, content_type, data


def attachment_disposition(name: str) -> str:
    """The Content-Disposition of a download of `name` (RFC 6266): an ASCII fallback in
    `filename`, and the name itself in `filename*=UTF-8''...` when it is not plain ASCII."""
    name = name or "attachment"
    fallback = (
        "".join(
            c
            for c in unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
            if c.isprintable() and c not in '"\\'
        ).strip()
        or "attachment"
    )
    if fallback == name:
        return f'attachment; filename="{name}"'
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _too_large() -> str:
    return f"The file is larger than {limits.SUBMISSION_ATTACHMENT_MAX_BYTES // (1024 * 1024)} MiB."


@transaction.atomic
def submission_record(
    *,
    actor: Actor,
    obligation: Obligation,
    submitted_at: dt.datetime,
    recipient: str,
    authority: CompetentAuthority | None = None,
    reference_number: str = "",
    content: str = "",
    attachment: UploadedFile | None = None,
    late_reason: str = "",
) -> Submission:
    """Record a notification made for `obligation`; the stages that run from it start.

    After its due time the reason for the delay is required (GDPR Art. 33(1)). The first
    submission marks the obligation submitted at that time; a later one (a follow-up, a
    corrected filing) is kept too: a stage that runs from this one runs from the first,
    except one that reads the latest (`anchor_latest_of`: DORA's final report).
    """
    require_perm(actor, PERM_SUBMISSION)
    obligation = _lock_obligation(obligation)
    if obligation.status not in (Obligation.Status.OPEN, Obligation.Status.SUBMITTED):
        raise ValidationError(
            {"obligation": f"It is {obligation.get_status_display().lower()}: nothing is owed."}
        )
    submitted_at = check_moment(submitted_at, field="submitted_at")
    detected_at = (
        Incident.objects.filter(pk=obligation.incident_id)
        .values_list("detected_at", flat=True)
        .get()
    )
    if submitted_at < detected_at:
        raise ValidationError(
            {
                "submitted_at": "This is before the incident was detected "
                f"({detected_at.astimezone(timezone.get_current_timezone()):%Y-%m-%d %H:%M %Z}): "
                "give when it was actually sent."
            }
        )
    if authority is not None and not authority.is_active:
        raise ValidationError({"authority": "This authority is no longer in use."})
    recipient = (recipient or "").strip() or (authority.name if authority else "")
    recipient = _require_text(
        recipient, field="recipient", message="Say to whom it was sent.", max_chars=300
    )
    late_reason = (late_reason or "").strip()
    if obligation.due_at is not None and submitted_at > obligation.due_at and not late_reason:
        raise ValidationError({"late_reason": LATE_MESSAGE})
    if len(late_reason) > MAX_REASON_CHARS:
        raise ValidationError({"late_reason": f"At most {MAX_REASON_CHARS:,} characters."})
    if len(content or "") > MAX_CONTENT_CHARS:
        raise ValidationError({"content": f"At most {MAX_CONTENT_CHARS:,} characters."})
    file_fields: dict[str, Any] = {}
    if attachment is not None:
        name, content_type, data = attachment_read(attachment)
        file_fields = {
            "attachment_name": name,
            "attachment_type": content_type,
            "attachment": data,
            "attachment_sha256": hashlib.sha256(data).hexdigest(),
        }
    submission = Submission(
        obligation=obligation,
        submitted_at=submitted_at,
        submitted_by=_user(actor),
        authority=authority,
        recipient=recipient,
        reference_number=(reference_number or "").strip(),
        content=content or "",
        late_reason=late_reason,
        **file_fields,
    )
    save_audited(submission, actor=actor, exclude=["obligation", "submitted_by", "authority"])
    first = obligation.submitted_at is None or submitted_at < obligation.submitted_at
    if obligation.status != Obligation.Status.SUBMITTED or first:
        obligation.status = Obligation.Status.SUBMITTED
        if first:
            obligation.submitted_at = submitted_at
        obligation.status_changed_by = _user(actor)
        save_audited(obligation, actor=actor, exclude=["incident", "status_changed_by"])
    obligations_evaluate(incident=obligation.incident)
    return submission


def results_for(case: types.Case, in_force: EngineRegimes | None = None) -> list[types.Result]:
    """The engine's answer for `case` with the regimes switched on and their overrides."""
    return evaluate(case, **(in_force or engine_regimes()).evaluate_kwargs())


@transaction.atomic
def obligations_evaluate(
    *,
    incident: Incident,
    organisation: Organisation | None = None,
    in_force: EngineRegimes | None = None,
) -> dict[str, int]:
    """Evaluate `incident` and write its obligations (idempotent: equal rows are not saved).

    Counts of obligations created, updated, made not applicable, and unchanged. The
    incident's row is locked so two evaluations of it never interleave. A batch passes the
    `organisation` and the regimes `in_force` it read once for all its incidents.
    """
    incident = (
        Incident.objects.select_for_update(of=("self",))
        .select_related("incident_type")
        .get(pk=incident.pk)
    )
    case = case_for_incident(incident, organisation=organisation)
    results = results_for(case) if in_force is None else results_for(case, in_force)
    return obligations_sync(incident=incident, results=results)
