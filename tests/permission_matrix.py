"""The permission matrix: for every named route, which persona may use it, per method.

`tests/test_permission_matrix.py` walks the URL resolver (web pages and the API router
alike, everything except the `admin:` namespace) and fails for a route with no row here,
for a row whose grid misses a persona, for a row naming a route that no longer exists, and
for any persona the running code treats differently from its grid.

How a later issue adds its rows
-------------------------------
1. Add one `Route(...)` per new URL name to `MATRIX`, in the block of its app. Names are
   namespaced as in `reverse()`: "catalogue:service-list", "api:service-detail".
2. Give one grid per method the route accepts: `get=`, `post=`, `put=`, `patch=`,
   `delete=`. A grid is nine marks, one per column of `COLUMNS`, in that order:
   `Y` allowed, `-` refused. For class-based and DRF views the test knows the methods and
   requires exactly those grids (HEAD and OPTIONS follow GET and are not listed); for
   function views list every method the view handles, GET included.
3. If the URL takes arguments, `kwargs=` is a factory `(user) -> dict` that builds what
   they point at (`user` is the persona making the request, None for anonymous), so the
   page can answer 200 for an allowed persona. `data=` builds a request body the same way
   (default: empty). An allowed persona must succeed (see below), so a route whose empty
   request is a form or validation error (400) needs a `data=` that it accepts, and one
   that works only on an object in a given state (a submitted report) a `kwargs=` that
   builds it so.
4. Token-only endpoints set `via="token"`: the persona then calls with a knox token
   instead of a session. An endpoint whose credential is not a person's (alert intake: a
   source's token) sets `headers=`, a factory `(user) -> dict` of request headers (as the
   test client's `HTTP_...` keywords); the body (`data=`) is then sent as JSON, and the
   persona's session goes along, to show it neither helps nor hinders.
5. `refused_status=` is for a web page that refuses a signed-in persona with another status
   than 403 (a dashboard panel's fragment answers 404 to whoever it is not for).
6. `allowed_status=` is for the rare route whose purpose is to answer something else
   (the API's catch-all `api:not-found` answers 404): an allowed persona must get exactly
   that status.

What the marks mean when the test calls the route:
    Y  success: a 2xx, or a redirect (3xx) anywhere but the login page's sign-in demand
       (`/accounts/login/?next=...`; logging out, which lands on the plain login page, is
       a success). A 400, 404 or any other status fails, whatever its body says.
    -  web page: 403 for a signed-in persona, a redirect to the login page for anonymous;
       API (DRF) route: 403 for a signed-in persona, 401 for anonymous, in the error shape.
Each call runs in a savepoint rolled back right after it, so a POST that succeeds changes
nothing the next persona sees.

A new persona (a new role) is a new column: add it to `COLUMNS` and to every grid.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from bcp_portal.core import signing
from bcp_portal.core.models import InboxItem, NotificationTarget, TaskProgress
from compliance import services as compliance_services
from compliance.markdown import sections as runbook_sections
from compliance.models import RunbookVersion
from compliance.signables import REVIEW_ROLES
from drills.models import CalendarFeedToken
from incidents.models import Incident as IncidentModel
from incidents.models import IncidentType
from incidents.services import communications as comm_services
from incidents.services import postmortems as pm_services
from incidents.services.lifecycle import incident_set_status
from tests.actions.factories import ActionFactory
from tests.compliance import api_factories as runbooks
from tests.compliance.factories import SMALL_RUNBOOK, document_with_draft
from tests.compliance.factories import approve as runbook_approve
from tests.compliance.factories import signer as runbook_signer
from tests.conftest import PERSONA_ROLES
from tests.drills.factories import (
    CalendarFeedTokenFactory,
    DrillFactory,
    DrillScheduleFactory,
    DrillTypeFactory,
)
from tests.drills.report_factories import DrillReportFactory, RecoveryStepFactory
from tests.factories import ContactFactory, ServiceFactory, UserFactory
from tests.incidents import factories as incident_factories
from tests.incidents.factories import declare as declare_incident
from tests.twofactor import give_two_factor

ANONYMOUS = "anonymous"
COLUMNS = ("sre", "srelead", "engmgr", "cto", "dpo", "legal", "auditor", "outsider", ANONYMOUS)
METHODS = ("get", "post", "put", "patch", "delete")
ALLOWED, REFUSED = "Y", "-"


@dataclass(frozen=True)
class Route:
    get: str | None = None
    post: str | None = None
    put: str | None = None
    patch: str | None = None
    delete: str | None = None
    kwargs: Callable[..., dict] | None = None
    data: Callable[..., dict] | None = None
    via: str = "session"
    # Extra request headers, for an endpoint with a credential of its own (see 4. above).
    headers: Callable[..., dict] | None = None
    # The one status an allowed persona gets, for a route whose purpose is to answer
    # neither 2xx nor a redirect (the API's catch-all 404); None: 2xx or a redirect.
    allowed_status: int | None = None
    # What a refused signed-in persona gets from a web page when it is not 403: a dashboard
    # panel answers 404 to whoever it is not for (its box then leaves the page).
    refused_status: int = 403

    def grids(self) -> dict[str, str]:
        """Method (upper case) to its grid, for the methods this row lists."""
        return {m.upper(): grid for m in METHODS if (grid := getattr(self, m)) is not None}


def parse_grid(grid: str) -> dict[str, bool]:
    """'Y - Y …' to {persona: allowed}; ValueError saying what is wrong."""
    marks = grid.split()
    if len(marks) != len(COLUMNS):
        missing = ", ".join(COLUMNS[len(marks) :]) or "none"
        raise ValueError(
            f"has {len(marks)} marks for {len(COLUMNS)} personas "
            f"({' '.join(COLUMNS)}); personas without a mark: {missing}"
        )
    unknown = sorted({m for m in marks if m not in (ALLOWED, REFUSED)})
    if unknown:
        raise ValueError(f"has marks other than {ALLOWED!r} and {REFUSED!r}: {unknown}")
    return {persona: mark == ALLOWED for persona, mark in zip(COLUMNS, marks, strict=True)}


# --- kwargs factories --------------------------------------------------------------------


def _service(user) -> dict:
    return {"pk": ServiceFactory().pk}


def _legacy_account_path(user) -> dict:
    return {"rest": "settings/"}


def _contact(user) -> dict:
    return {"pk": ContactFactory().pk}


def _own_task(user) -> dict:
    """Task pages show only the caller's own tasks; anonymous gets someone else's."""
    owner = user or UserFactory()
    return {"pk": TaskProgress.objects.create(owner=owner, kind="test", title="A report").pk}


def _own_finished_task(user) -> dict:
    """A finished report of the caller's own (anonymous: someone else's), its file stored
    (tests/test_permission_matrix.py points MEDIA_ROOT at a temporary folder)."""
    name = default_storage.save("reports/matrix/report.pdf", ContentFile(b"%PDF-1.7\n%%EOF\n"))
    task = TaskProgress.objects.create(
        owner=user or UserFactory(),
        kind="test",
        title="A report",
        status=TaskProgress.Status.DONE,
        result_file=name,
        result_name="report.pdf",
    )
    return {"pk": task.pk}


def _reset_link(user) -> dict:
    return {"uidb64": "MQ", "token": "not-a-valid-token"}


def _unknown_api_path(user) -> dict:
    return {"path": "no-such-endpoint"}


def _own_inbox_item(user) -> dict:
    """An item of the caller's own inbox (anonymous: someone else's); another person's
    answers 404 (tests/bcp_portal/channels/test_pages.py)."""
    item = InboxItem.objects.create(user=user or UserFactory(), subject="Drill tomorrow")
    return {"pk": item.pk}


def _notification_target(user) -> dict:
    target = NotificationTarget.objects.create(
        name=f"chat-{uuid.uuid4().hex[:8]}", kind="slack", url="http://127.0.0.1:9/", secret="s"
    )
    return {"pk": target.pk}


def _own_action(user) -> dict:
    """An action the caller owns: besides the permission, changing one needs its owner
    or a manager (bcp_portal.actions.services.action_may_change)."""
    return {"pk": ActionFactory(owner=user).pk}


def _drill(user) -> dict:
    return {"pk": DrillFactory().pk}


def _drill_schedule(user) -> dict:
    return {"pk": DrillScheduleFactory().pk}


def _feed_token(user) -> dict:
    """The feed takes no session: its URL's token is the credential, so every caller gets a
    live one, its own where its role lets it see drills, else a colleague's (SRE). A dead
    token (revoked, unknown, its owner's role gone) answers 404: tests/drills/test_feed.py."""
    if user is None or not user.has_perm("drills.view_drill"):
        user = UserFactory(roles=[PERSONA_ROLES["sre"]])
    raw = CalendarFeedToken.new_token()
    CalendarFeedTokenFactory(user=user, raw=raw)
    return {"token": raw}


def _report(user) -> dict:
    return {"pk": DrillReportFactory().pk}


def _drill_to_report(user) -> dict:
    return {"drill_pk": DrillFactory().pk}


def _own_report(user) -> dict:
    """A draft the caller wrote: besides the permission, changing a report needs its author,
    a participant of its drill or the SRE Lead (drills.services.reports.report_may_edit);
    another SRE is refused in tests/drills/test_report_editors.py."""
    return {"pk": DrillReportFactory(created_by=user or UserFactory()).pk}


def _complete_report(user) -> dict:
    """A draft of the caller's with everything a submission needs
    (drills.services.drill_report_problems)."""
    report = DrillReportFactory(
        created_by=user or UserFactory(),
        actual_duration_minutes=50,
        rto_actual_minutes=40,
        rpo_actual_minutes=30,
        overall_result="pass",
        summary="Restored from the last backup.",
    )
    report.services.add(ServiceFactory())
    RecoveryStepFactory(report=report)
    return {"pk": report.pk}


def _submitted_report(user) -> dict:
    """A submitted (locked) report of the caller's: what a revision opens again."""
    report = DrillReportFactory(
        created_by=user or UserFactory(), status="submitted", submitted_at=timezone.now()
    )
    return {"pk": report.pk}


# --- runbooks (compliance) ---------------------------------------------------------------
# What a kwargs factory made, for the data factory called right after it in the same call.
_made: dict[str, object] = {}


def _runbook_author(user):
    """The caller when they may write changes, else an SRE colleague."""
    if user is not None and user.has_perm("compliance.add_changerequest"):
        return user
    return UserFactory(roles=[PERSONA_ROLES["sre"]])


def _runbook_draft(author, *, doc_id: str | None = None):
    """A draft of `author`'s whose content differs from the version it is based on."""
    lead = UserFactory(roles=[PERSONA_ROLES["srelead"]])
    first = document_with_draft(lead, doc_id=doc_id or f"DR-M-{uuid.uuid4().hex[:8]}")
    compliance_services.change_withdraw(actor=lead, change=first.change, reason="Matrix")
    draft = compliance_services.change_open(
        actor=author, document=first.document, change_type="procedure_update", reason="Matrix"
    )
    key = next(s.key for s in runbook_sections(draft.content) if "Contacts" in s.title)
    return compliance_services.version_section_edit(
        actor=author, version=draft, key=key, text="## 1. Contacts\nCall Ana.\n\n", shown_sha256=""
    )


def _runbook_document(user) -> dict:
    return {"pk": _runbook_draft(_runbook_author(user)).document_id}


def _runbook_version(user) -> dict:
    return {"pk": _runbook_draft(_runbook_author(user)).pk}


def _runbook_section(user) -> dict:
    version = _runbook_draft(_runbook_author(user))
    _made["version"] = version
    key = next(s.key for s in runbook_sections(version.content) if "Contacts" in s.title)
    return {"pk": version.pk, "key": key}


def _runbook_without_open_change(user) -> dict:
    version = _runbook_draft(_runbook_author(user))
    compliance_services.change_withdraw(actor=version.created_by, change=version.change, reason="x")
    _made["document"] = version.document
    return {"pk": version.document_id}


def _runbook_in_review(user):
    """A procedure update in review (it needs the Engineering Manager and the DPO), by an
    SRE Lead who is not the caller."""
    lead = UserFactory(roles=[PERSONA_ROLES["srelead"]])
    version = _runbook_draft(lead)
    compliance_services.change_submit(actor=lead, change=version.change)
    version.refresh_from_db()
    return version


def _runbook_change_in_review(user) -> dict:
    change = _runbook_in_review(user).change
    _made["change"] = change
    return {"pk": change.pk}


def _runbook_approved(user) -> dict:
    version = _runbook_in_review(user)
    for role in ("engmgr", "dpo"):
        code = f"m-{uuid.uuid4().hex[:10]}"
        approver = runbook_signer(
            PERSONA_ROLES[role], username=f"m-{role}-{uuid.uuid4().hex[:6]}", codes=(code,)
        )
        runbook_approve(version, approver, PERSONA_ROLES[role], code)
    _made["version"] = version
    return {"pk": version.pk}


def _runbook_published(user) -> dict:
    version = RunbookVersion.objects.get(pk=_runbook_approved(user)["pk"])
    compliance_services.version_publish(actor=version.created_by, version=version)
    _made["document"] = version.document
    return {"pk": version.document_id}


def _backup_code(user) -> str:
    code = f"b-{uuid.uuid4().hex[:10]}"
    give_two_factor(user, backup_codes=(code,))
    return code


def _runbook_import(user) -> dict:
    """A file for a document that exists (every author may open a change of it)."""
    lead = UserFactory(roles=[PERSONA_ROLES["srelead"]])
    doc_id = f"DR-M-{uuid.uuid4().hex[:8]}"
    first = document_with_draft(lead, doc_id=doc_id)
    compliance_services.change_withdraw(actor=lead, change=first.change, reason="Matrix")
    text = SMALL_RUNBOOK.replace("Call the on-call engineer first.", "Call Ana.")
    return {
        "file": SimpleUploadedFile("runbook.md", text.encode(), content_type="text/markdown"),
        "change_type": "contact_update",
        "reason": "New number",
        "doc_id": doc_id,
    }


def _runbook_change(user) -> dict:
    return {"change_type": "contact_update", "reason": "New numbers"}


def _runbook_control(user) -> dict:
    return {
        "title": "Recovery Runbook",
        "owner": "SRE Team",
        "classification": "confidential",
        "review_cadence": "quarterly",
        "next_review": (timezone.localdate() + dt.timedelta(days=90)).isoformat(),
    }


def _runbook_section_text(user) -> dict:
    version = _made["version"]
    return {"text": "## 1. Contacts\nCall Bo.\n\n", "content_sha256": version.content_sha256}


def _runbook_withdraw(user) -> dict:
    return {"reason": "Not needed"}


def _runbook_diff(user) -> dict:
    version = _runbook_draft(_runbook_author(None))
    return {"from": version.based_on_id, "to": version.pk}


def _signing_role(user) -> str:
    held = set(user.groups.values_list("name", flat=True)) if user else set()
    for role in (PERSONA_ROLES["engmgr"], PERSONA_ROLES["dpo"]):
        if role in held:
            return role
    return PERSONA_ROLES["engmgr"]


def _runbook_signature(user) -> dict:
    change = _made["change"]
    return {
        "role": _signing_role(user),
        "decision": "approve",
        "comment": "",
        "password": "correct horse battery",
        "otp_code": _backup_code(user) if user else "",
        "shown_hash": signing.subject_hash(change),
    }


def _runbook_review(user) -> dict:
    document = _made["document"]
    held = set(user.groups.values_list("name", flat=True)) if user else set()
    role = next((r for r in REVIEW_ROLES if r in held), REVIEW_ROLES[0])
    return {
        "role": role,
        "comment": "Still right.",
        "password": "correct horse battery",
        "otp_code": _backup_code(user) if user else "",
        "shown_hash": signing.subject_hash(document),
    }


# --- data factories: request bodies an allowed persona's request succeeds with ----------


def _unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def _yesterday() -> str:
    return (timezone.localdate() - dt.timedelta(days=1)).isoformat()


def _new_service(user) -> dict:
    return {"name": _unique("Service")}


def _new_action(user) -> dict:
    return {"title": "Script the failover", "drill_report": DrillReportFactory().pk}


def _new_drill(user) -> dict:
    starts_at = timezone.now() + dt.timedelta(days=30)
    return {"drill_type": DrillTypeFactory().key, "starts_at": starts_at.isoformat()}


def _new_report(user) -> dict:
    """A draft report of an unplanned drill."""
    return {"drill_type": DrillTypeFactory().key, "drill_date": _yesterday()}


def _draft_form(user) -> dict:
    """The report page's form, saved as a draft: the fields and three empty formsets."""
    body = {"drill_date": _yesterday(), "scenario": "Primary database lost."}
    for prefix in ("steps", "issues", "actions"):
        body |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return body


def _revision_reason(user) -> dict:
    return {"reason": "A typo in the summary."}


# --- runbooks over the API (compliance): rows made through the services ----------------


def _runbook(user) -> dict:
    return {"pk": runbooks.draft().document_id}


def _api_runbook_published(user) -> dict:
    return {"pk": runbooks.published().document_id}


def _runbook_closed(user) -> dict:
    return {"pk": runbooks.closed_document().pk}


def _api_runbook_version(user) -> dict:
    return {"pk": runbooks.draft().pk}


def _own_runbook_draft(user) -> dict:
    """A draft the caller wrote: only its author edits a change
    (compliance.services._require_author)."""
    return {"pk": runbooks.own_draft(user).pk}


def _own_runbook_draft_section(user) -> dict:
    return {"pk": runbooks.own_draft(user).pk, "key": "s2"}


def _own_runbook_change(user) -> dict:
    return {"pk": runbooks.own_draft(user).change.pk}


def _api_runbook_approved(user) -> dict:
    return {"pk": runbooks.approved().pk}


def _runbook_change_for_my_role(user) -> dict:
    """A change in review someone else wrote, needing the caller's role where they hold one
    that signs runbook changes (the SRE's and the auditor's roles sign none)."""
    return {"pk": runbooks.in_review_for(user).change.pk}


def _signoff(user) -> dict:
    version = runbooks.approved()
    return {"pk": runbooks.signing.valid_approvals(version.change).first().pk}


def _api_runbook_import(user) -> dict:
    return {
        "markdown": runbooks.SMALL_RUNBOOK,
        "doc_id": runbooks.new_doc_id(),
        "change_type": "procedure_update",
        "reason": "First import",
    }


def _change_sign(user) -> dict:
    return {**runbooks.sign_body(user, runbooks.latest_change()), "decision": "approve"}


def _review_sign(user) -> dict:
    return runbooks.sign_body(user, runbooks.latest_document())


# --- incidents (issue #10) ----------------------------------------------------------------


def _incident_declarer():
    return UserFactory(roles=[PERSONA_ROLES["sre"]])


def _incident(user) -> dict:
    return {"pk": declare_incident(_incident_declarer()).pk}


def _restored_incident(user) -> dict:
    declarer = _incident_declarer()
    incident = declare_incident(declarer, detected_at=timezone.now() - dt.timedelta(hours=1))
    incident_set_status(actor=declarer, incident=incident, status="restored")
    return {"pk": incident.pk}


def _incident_timeline(user) -> dict:
    return {"incident_pk": _incident(user)["pk"]}


def _incident_type(user) -> dict:
    return {"pk": IncidentType.objects.order_by("pk").first().pk}


def _incident_form(user) -> dict:
    """The declare and edit pages' required fields."""
    detected = timezone.localtime(timezone.now() - dt.timedelta(minutes=5))
    return {
        "title": "Checkout returns 500",
        "incident_type": IncidentType.objects.get(key="application-outage").pk,
        "severity": "P1",
        "business_impact": "critical",
        "detected_at": f"{detected:%Y-%m-%dT%H:%M}",
    }


def _new_incident(user) -> dict:
    return {"title": "Checkout returns 500", "incident_type": "application-outage"}


# --- alert intake (incidents) ----------------------------------------------------------


def _intake_source(user) -> dict:
    from tests.incidents.intake_factories import make_source

    lead = UserFactory(roles=[PERSONA_ROLES["srelead"]])
    return {"pk": make_source(lead, name=f"Matrix {uuid.uuid4().hex[:8]}")[0].pk}


def _new_intake_source(user) -> dict:
    from incidents.models import IncidentType

    return {
        "name": "Matrix monitor",
        "kind": "alertmanager",
        "default_incident_type": IncidentType.objects.get(key="other").pk,
        "default_severity": "P2",
    }


def _intake_token(kind: str) -> Callable[..., dict]:
    """Every caller gets a live source token: the token, not the caller, is the credential
    (a bad, revoked or wrong-kind token: tests/incidents/test_intake_requests.py)."""

    def make(user) -> dict:
        from tests.incidents.intake_factories import make_source

        lead = UserFactory(roles=[PERSONA_ROLES["srelead"]])
        _, raw = make_source(lead, kind=kind, name=f"Matrix {uuid.uuid4().hex[:8]}")
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return make


def _alertmanager_body(user) -> dict:
    from tests.incidents.intake_factories import am_payload

    return am_payload()


def _generic_event(user) -> dict:
    return {"key": "matrix", "status": "firing", "title": "Matrix check failing"}


# --- the matrix ---------------------------------------------------------------------------

# --- Incidents: on-call and escalation (issue #10) ------------------------------------------


def _oncall_rotation():
    """The active rotation (two SREs), made once per call's savepoint."""
    from incidents.models import OnCallRotation
    from incidents.services.oncall import rotation_create

    active = OnCallRotation.objects.filter(is_active=True).first()
    if active is not None:
        return active
    lead = UserFactory(roles=[PERSONA_ROLES["srelead"]])
    members = [UserFactory(roles=[PERSONA_ROLES["sre"]]) for _ in range(2)]
    return rotation_create(
        actor=lead, name="Matrix rota", starts_at=timezone.now(), members=members
    )


def _rotation(user) -> dict:
    return {"pk": _oncall_rotation().pk}


def _override(user) -> dict:
    from incidents.services.oncall import override_create

    rotation = _oncall_rotation()
    lead = UserFactory(roles=[PERSONA_ROLES["srelead"]])
    start = timezone.now() + dt.timedelta(days=3)
    override = override_create(
        actor=lead,
        rotation=rotation,
        user=UserFactory(roles=[PERSONA_ROLES["sre"]]),
        starts_at=start,
        ends_at=start + dt.timedelta(days=1),
        reason="Holiday",
    )
    return {"pk": override.pk}


def _own_swap_form(user) -> dict:
    """The override page's form: the caller takes the primary slot for a day (an SRE may,
    for a swap involving themselves; tests/incidents/test_oncall_pages.py refuses others)."""
    _oncall_rotation()
    start = timezone.localtime(timezone.now() + dt.timedelta(days=2))
    who = user if user is not None else UserFactory(roles=[PERSONA_ROLES["sre"]])
    return {
        "slot": "primary",
        "user": who.pk,
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "reason": "Swap",
    }


def _own_swap_json(user) -> dict:
    _oncall_rotation()
    start = timezone.now() + dt.timedelta(days=2)
    who = user if user is not None else UserFactory(roles=[PERSONA_ROLES["sre"]])
    return {
        "slot": "primary",
        "user": who.pk,
        "starts_at": start.isoformat(),
        "ends_at": (start + dt.timedelta(days=1)).isoformat(),
        "reason": "Swap",
    }


def _incident(user) -> dict:
    from tests.incidents.factories import declare

    return {"pk": declare(UserFactory(roles=[PERSONA_ROLES["sre"]])).pk}


def _ack_token(user) -> dict:
    """A live acknowledgement link: its token, not a session, is the credential, so every
    caller (anonymous too) may use it; expired and tampered ones are refused in
    tests/incidents/test_escalation.py."""
    from incidents.acknowledgement import ack_token
    from incidents.models import EscalationPage
    from tests.incidents.factories import declare

    _oncall_rotation()
    incident = declare(UserFactory(roles=[PERSONA_ROLES["sre"]]), severity="P0")
    page = EscalationPage.objects.filter(escalation__incident=incident).first()
    return {"token": ack_token(page)}


# fmt: off

# --- post-mortems and communication drafts (incidents): rows made through the services ----


def _pm_author(user):
    """The caller when they may write post-mortems, else an SRE colleague."""
    if user is not None and user.has_perm("incidents.add_postmortem"):
        return user
    return UserFactory(roles=[PERSONA_ROLES["sre"]])


def _restored_incident(user) -> dict:
    """A restored incident without a post-mortem (declared by an SRE colleague)."""
    return {"pk": incident_factories.restored(UserFactory(roles=[PERSONA_ROLES["sre"]])).pk}


def _pm_draft(user) -> dict:
    """A draft post-mortem the caller wrote (when they may): editing needs its author, the
    incident's people or the SRE Lead (tests/incidents/test_postmortem_pages.py)."""
    author = _pm_author(user)
    incident = incident_factories.restored(UserFactory(roles=[PERSONA_ROLES["sre"]]))
    return {"pk": incident_factories.postmortem_draft(author, incident).incident_id}


def _pm_complete(user) -> dict:
    author = _pm_author(user)
    incident = incident_factories.restored(UserFactory(roles=[PERSONA_ROLES["sre"]]))
    return {"pk": incident_factories.postmortem_complete(author, incident).incident_id}


def _pm_in_review(user) -> dict:
    """Submitted by an SRE colleague: the SRE Lead persona signs it (not its author)."""
    author = UserFactory(roles=[PERSONA_ROLES["sre"]])
    postmortem = incident_factories.postmortem_complete(author)
    pm_services.postmortem_submit(actor=author, postmortem=postmortem)
    postmortem.refresh_from_db()
    _made["postmortem"] = postmortem
    return {"pk": postmortem.incident_id}


def _pm_signature(user) -> dict:
    return {
        "decision": "approve",
        "comment": "",
        "password": "correct horse battery",
        "otp_code": _backup_code(user) if user else "",
        "shown_hash": signing.subject_hash(_made["postmortem"]),
    }


def _pm_approved(user) -> dict:
    author = _pm_author(user)
    postmortem = incident_factories.postmortem_complete(author)
    pm_services.postmortem_submit(actor=author, postmortem=postmortem)
    postmortem.refresh_from_db()
    lead = incident_factories.lead_signer(username=f"pm-lead-{uuid.uuid4().hex[:8]}")
    incident_factories.sign(postmortem, lead)
    return {"pk": postmortem.incident_id}


def _pm_published(user) -> dict:
    author = _pm_author(user)
    lead = incident_factories.lead_signer(username=f"pm-lead-{uuid.uuid4().hex[:8]}")
    return {"pk": incident_factories.postmortem_published(author, lead=lead).incident_id}


def _pm_form(user) -> dict:
    body = {"title": "Primary database down", "summary": "Failed over."}
    for prefix in ("lessons", "actions"):
        body |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return body


def _api_pm(factory):
    """The API names a post-mortem by its own id (pages by its incident's)."""

    def make(user) -> dict:
        from incidents.models import PostMortem

        return {"pk": PostMortem.objects.get(incident_id=factory(user)["pk"]).pk}

    return make


def _comm_draft(user) -> dict:
    sre = UserFactory(roles=[PERSONA_ROLES["sre"]])
    incident = incident_factories.declare(sre)
    draft = comm_services.communication_draft_create(
        actor=sre, incident=incident, kind="status_page"
    )
    return {"pk": incident.pk, "draft_pk": draft.pk}


def _incident(user) -> dict:
    return {"pk": incident_factories.declare(UserFactory(roles=[PERSONA_ROLES["sre"]])).pk}


# Notification clocks (compliance, issue #11): an incident with a fact, an obligation the
# DPO added (no due time, so a submission is never late), a submission with a file.
def _clocks_dpo():
    return UserFactory(roles=[PERSONA_ROLES["dpo"]])


def _clock_incident(user) -> dict:
    return {"incident_pk": _incident(user)["pk"]}


def _clock_fact(user) -> dict:
    from compliance import notifications

    incident_pk = _incident(user)["pk"]
    fact = notifications.fact_record(
        actor=_clocks_dpo(),
        incident=IncidentModel.objects.get(pk=incident_pk),
        kind="awareness",
        occurred_at=timezone.now() - dt.timedelta(hours=2),
        time_zone="Europe/Paris",
        reason="Told by the incident commander.",
    )
    return {"incident_pk": incident_pk, "pk": fact.pk}


def _clock_obligation(user) -> dict:
    from compliance import notifications

    obligation = notifications.obligation_add(
        actor=_clocks_dpo(),
        incident=IncidentModel.objects.get(pk=_incident(user)["pk"]),
        regime_name="Contract with Bank X",
        stage_name="Notice to the bank",
        notify="Bank X",
        due_at=None,
        reason="Clause 12.",
    )
    return {"pk": obligation.pk}


def _clock_submission(user) -> dict:
    from compliance import notifications
    from compliance.models_notifications import Obligation

    submission = notifications.submission_record(
        actor=_clocks_dpo(),
        obligation=Obligation.objects.get(pk=_clock_obligation(user)["pk"]),
        submitted_at=timezone.now(),  # never before the incident's detection
        recipient="Bank X",
        attachment=SimpleUploadedFile("notice.pdf", b"%PDF-1.4 notice"),
    )
    return {"pk": submission.pk}


def _clock_fact_json(user) -> dict:
    return {
        "kind": "classification_major",
        "occurred_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
        "time_zone": "Europe/Paris",
        "reason": "Classified major.",
    }


def _legal_entity(user) -> dict:
    from bcp_portal.catalogue.models import LegalEntity
    from bcp_portal.catalogue.selectors import organisation_profile

    entity = LegalEntity.objects.create(
        profile=organisation_profile(), name=f"Entity {uuid.uuid4().hex[:8]}"
    )
    return {"pk": entity.pk}


def _authority(user) -> dict:
    from bcp_portal.catalogue.models import CompetentAuthority

    authority = CompetentAuthority.objects.create(
        name=f"Authority {uuid.uuid4().hex[:8]}", jurisdiction="FR"
    )
    return {"pk": authority.pk}


def _entity_form(user) -> dict:
    return {
        "name": f"Acme SAS {uuid.uuid4().hex[:8]}",
        "jurisdictions": "FR",
        "statuses": ["gdpr_controller"],
        "holiday_calendars": "FR",
        "time_zone": "Europe/Paris",
        "is_active": "on",
    }


def _authority_form(user) -> dict:
    return {
        "name": f"CNIL {uuid.uuid4().hex[:8]}",
        "jurisdiction": "FR",
        "regimes": "eu_gdpr_art33_art34",
        "is_active": "on",
    }


# The planner's facts: a GDPR breach in France (the page's form, and the API's JSON).
_PLANNER_FORM = {
    "entity_name": "Acme SAS",
    "jurisdictions": "FR",
    "statuses": ["gdpr_controller"],
    "time_zone": "Europe/Paris",
    "personal_data": "on",
    "gdpr_risk": "risk",
    "fact_detection": "2026-03-02T10:00",
}
_PLANNER_JSON = {
    "entities": [{"name": "Acme SAS", "jurisdictions": ["FR"], "statuses": ["gdpr_controller"],
                  "time_zone": "Europe/Paris"}],
    "personal_data": True,
    "gdpr_risk": "risk",
    "facts": {"detection": "2026-03-02T10:00:00+01:00"},
}
# The desk and an incident's notifications pages (compliance, issue #11): obligations made
# as the engine stores them (tests/compliance/desk/factories.py).


def _desk_incident(user) -> dict:
    from tests.compliance.desk import factories as clocks

    return {"pk": clocks.incident().pk}


def _desk_obligation(user) -> dict:
    from tests.compliance.desk import factories as clocks

    obligation = clocks.obligation()
    _made["obligation"] = obligation
    return {"pk": obligation.incident_id, "obligation": obligation.pk}


def _desk_submission(user) -> dict:
    from tests.compliance.desk import factories as clocks

    submission = clocks.submission(
        clocks.obligation(), attachment=b"notice", attachment_name="notice.txt"
    )
    return {"pk": submission.obligation.incident_id, "submission": submission.pk}


def _desk_fact_form(user) -> dict:
    return {
        "kind": "controller_awareness",
        "occurred_at": (timezone.now() - dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        "time_zone": "UTC",
        "reason": "The SOC told the DPO.",
    }


def _desk_obligation_form(user) -> dict:
    return {
        "regime_name": "Contract with Acme",
        "stage_name": "Notify the customer",
        "notify": "Acme's security officer",
        "due_at": (timezone.now() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        "reason": "Clause 12.3 of the contract.",
    }


def _desk_waive_form(user) -> dict:
    return {f"w{_made['obligation'].pk}-reason": "Counsel: no EU data subject."}


def _desk_submission_form(user) -> dict:
    pk = _made["obligation"].pk
    return {
        f"s{pk}-submitted_at": (timezone.now() - dt.timedelta(minutes=5)).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        f"s{pk}-recipient": "CNIL",
        f"s{pk}-reference_number": "CNIL-2026-0042",
    }


MATRIX: dict[str, Route] = {
    # Columns are COLUMNS, abbreviated: lead = srelead, mgr = engmgr, aud = auditor,
    # out = outsider, anon = anonymous.
    #                                          sre lead mgr cto dpo legal aud out anon
    # Shell, account and authentication (bcp_portal)
    "dashboard":                  Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   -"),
    # The dashboard's panels, each loaded by its box (bcp_portal.dashboard): a persona the
    # panel is not for gets 404. Approvals: an SRE signs, but no rule of the default matrix
    # asks for one, so nothing waits for them. Notifications (the outbox): staff only, and no
    # persona is staff.
    "panel-active-incidents":     Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        refused_status=404),
    "panel-approvals":            Route(get  ="-   Y    Y   Y   Y   Y     -   -   -",
                                        refused_status=404),
    "panel-reviews-due":          Route(get  ="-   Y    Y   Y   Y   Y     -   -   -",
                                        refused_status=404),
    "panel-my-drills":            Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        refused_status=404),
    "panel-my-actions":           Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        refused_status=404),
    "panel-drills-this-quarter":  Route(get  ="-   Y    Y   Y   -   -     -   -   -",
                                        refused_status=404),
    "panel-overdue-actions":      Route(get  ="-   Y    Y   Y   -   -     -   -   -",
                                        refused_status=404),
    "panel-rto-rpo-misses":       Route(get  ="-   Y    Y   Y   -   -     -   -   -",
                                        refused_status=404),
    "panel-unexercised-services": Route(get  ="-   Y    Y   Y   -   -     -   -   -",
                                        refused_status=404),
    "panel-dr-metrics":           Route(get  ="-   Y    Y   Y   -   -     -   -   -",
                                        refused_status=404),
    "panel-catalogue":            Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        refused_status=404),
    "panel-outbox":               Route(get  ="-   -    -   -   -   -     -   -   -",
                                        refused_status=404),
    "panel-oncall":               Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        refused_status=404),
    "panel-failing-deliveries":   Route(get  ="-   Y    -   -   -   -     -   -   -",
                                        refused_status=404),
    "panel-postmortems-due":      Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        refused_status=404),
    # Notification clocks (compliance, issue #11): the DPO and Legal Counsel.
    "panel-overdue-provisional":  Route(get  ="-   -    -   -   Y   Y     -   -   -",
                                        refused_status=404),
    "panel-running-clocks":       Route(get  ="-   -    -   -   Y   Y     -   -   -",
                                        refused_status=404),
    "panel-submissions-due":      Route(get  ="-   -    -   -   Y   Y     -   -   -",
                                        refused_status=404),
    "healthz":                    Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   Y"),
    "login":                      Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   Y",
                                        post ="Y   Y    Y   Y   Y   Y     Y   Y   Y",
                                        put  ="Y   Y    Y   Y   Y   Y     Y   Y   Y"),
    # The code step with nobody half-way through signing in: back to the password step.
    "login-code":                 Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   Y",
                                        post ="Y   Y    Y   Y   Y   Y     Y   Y   Y"),
    "logout":                     Route(post ="Y   Y    Y   Y   Y   Y     Y   Y   Y"),
    # The admin's own password-only login is replaced by a redirect to the portal's.
    "admin-login":                Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   Y"),
    "password_change":            Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   -",
                                        post ="Y   Y    Y   Y   Y   Y     Y   Y   -",
                                        put  ="Y   Y    Y   Y   Y   Y     Y   Y   -"),
    "password_change_done":       Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   -"),
    "password_reset":             Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   Y",
                                        post ="Y   Y    Y   Y   Y   Y     Y   Y   Y",
                                        put  ="Y   Y    Y   Y   Y   Y     Y   Y   Y"),
    "password_reset_done":        Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   Y"),
    "password_reset_confirm":     Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   Y",
                                        post ="Y   Y    Y   Y   Y   Y     Y   Y   Y",
                                        put  ="Y   Y    Y   Y   Y   Y     Y   Y   Y",
                                        kwargs=_reset_link),
    "password_reset_complete":    Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   Y"),
    "account-settings":           Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   -",
                                        post ="Y   Y    Y   Y   Y   Y     Y   Y   -"),
    "api-tokens":                 Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   -",
                                        post ="Y   Y    Y   Y   Y   Y     Y   Y   -"),
    # Everyone manages their own two-factor (the matrix's personas have it set up, so the
    # set-up page sends them back to their settings).
    "two-factor-setup":           Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   -",
                                        post ="Y   Y    Y   Y   Y   Y     Y   Y   -"),
    "two-factor-backup-codes":    Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   -",
                                        post ="Y   Y    Y   Y   Y   Y     Y   Y   -"),
    "two-factor-remove":          Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   -",
                                        post ="Y   Y    Y   Y   Y   Y     Y   Y   -"),
    # The old /account/ paths, redirected permanently to /accounts/ (GET only).
    "account-legacy":             Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   Y",
                                        kwargs=_legacy_account_path),
    "favicon":                    Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   Y"),
    "task-progress":              Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   -",
                                        kwargs=_own_task),
    "task-download":              Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   -",
                                        kwargs=_own_finished_task),
    # Contact directory (bcp_portal)
    "contacts:contact-list":             Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -"),
    "contacts:contact-create":           Route(get  ="-   Y    -   -   -   -     -   -   -",
                                        post ="-   Y    -   -   -   -     -   -   -"),
    "contacts:contact-detail":           Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        kwargs=_contact),
    "contacts:contact-edit":             Route(get  ="-   Y    -   -   -   -     -   -   -",
                                        post ="-   Y    -   -   -   -     -   -   -",
                                        kwargs=_contact),
    # Service catalogue (bcp_portal.catalogue)
    "catalogue:service-list":     Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -"),
    "catalogue:service-create":   Route(get  ="-   Y    -   -   -   -     -   -   -",
                                        post ="-   Y    -   -   -   -     -   -   -"),
    "catalogue:service-detail":   Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        kwargs=_service),
    "catalogue:service-edit":     Route(get  ="-   Y    -   -   -   -     -   -   -",
                                        post ="-   Y    -   -   -   -     -   -   -",
                                        kwargs=_service),
    "catalogue:service-catalogue-pdf":
                                  Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -"),
    "catalogue:service-catalogue-export":
                                  Route(post ="Y   Y    Y   Y   Y   Y     Y   -   -"),
    # API: root, me, tokens, schema (bcp_portal.api)
    "api:api-root":               Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   -"),
    "api:me":                     Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   -"),
    "api:token-login":            Route(post ="Y   Y    Y   Y   Y   Y     Y   Y   -"),
    "api:token-logout":           Route(post ="Y   Y    Y   Y   Y   Y     Y   Y   -",
                                        via="token"),
    "api:token-logoutall":        Route(post ="Y   Y    Y   Y   Y   Y     Y   Y   -",
                                        via="token"),
    "api:not-found":              Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   Y",
                                        kwargs=_unknown_api_path, allowed_status=404),
    "api-schema":                 Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   Y"),
    "api-docs":                   Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   Y"),
    # API: service catalogue (bcp_portal.catalogue)
    "api:service-list":           Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        post ="-   Y    -   -   -   -     -   -   -",
                                        data=_new_service),
    "api:service-detail":         Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        patch="-   Y    -   -   -   -     -   -   -",
                                        kwargs=_service),
    # Action tracker (bcp_portal.actions)
    "actions:action-list":      Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -"),
    "actions:action-mine":      Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -"),
    "actions:action-detail":    Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        kwargs=_own_action),
    "actions:action-edit":      Route(get  ="Y   Y    Y   Y   -   -     -   -   -",
                                        post ="Y   Y    Y   Y   -   -     -   -   -",
                                        kwargs=_own_action),
    "actions:action-transition":
                                  Route(post ="Y   Y    Y   Y   -   -     -   -   -",
                                        kwargs=_own_action),
    # API: action tracker (bcp_portal.actions)
    "api:action-list":            Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        post ="Y   Y    -   -   -   -     -   -   -",
                                        data=_new_action),
    "api:action-detail":          Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        patch="Y   Y    Y   Y   -   -     -   -   -",
                                        kwargs=_own_action),
    # Drill calendar (drills)
    "drills:calendar":            Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -"),
    "drills:drill-list":          Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -"),
    "drills:drill-create":        Route(get  ="-   Y    -   -   -   -     -   -   -",
                                        post ="-   Y    -   -   -   -     -   -   -"),
    "drills:drill-detail":        Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        kwargs=_drill),
    "drills:drill-edit":          Route(get  ="-   Y    -   -   -   -     -   -   -",
                                        post ="-   Y    -   -   -   -     -   -   -",
                                        kwargs=_drill),
    "drills:drill-cancel":        Route(post ="-   Y    -   -   -   -     -   -   -",
                                        kwargs=_drill),
    "drills:schedule-list":       Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -"),
    "drills:schedule-create":     Route(get  ="-   Y    -   -   -   -     -   -   -",
                                        post ="-   Y    -   -   -   -     -   -   -"),
    "drills:schedule-edit":       Route(get  ="-   Y    -   -   -   -     -   -   -",
                                        post ="-   Y    -   -   -   -     -   -   -",
                                        kwargs=_drill_schedule),
    "drills:feed-tokens":         Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        post ="Y   Y    Y   Y   Y   Y     Y   -   -"),
    "drills:feed":                Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   Y",
                                        kwargs=_feed_token),
    # API: drill calendar (drills)
    "api:drill-list":             Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        post ="-   Y    -   -   -   -     -   -   -",
                                        data=_new_drill),
    "api:drill-detail":           Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        patch="-   Y    -   -   -   -     -   -   -",
                                        kwargs=_drill),
    # Drill reports and the drill summary (drills)
    "drills:report-list":         Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -"),
    "drills:report-new-unplanned":
                                  Route(get  ="Y   Y    -   -   -   -     -   -   -",
                                        post ="Y   Y    -   -   -   -     -   -   -"),
    "drills:report-new":          Route(get  ="Y   Y    -   -   -   -     -   -   -",
                                        post ="Y   Y    -   -   -   -     -   -   -",
                                        kwargs=_drill_to_report),
    "drills:report-detail":       Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        kwargs=_report),
    "drills:report-edit":         Route(get  ="Y   Y    -   -   -   -     -   -   -",
                                        post ="Y   Y    -   -   -   -     -   -   -",
                                        kwargs=_own_report, data=_draft_form),
    "drills:report-submit":       Route(post ="Y   Y    -   -   -   -     -   -   -",
                                        kwargs=_complete_report),
    "drills:report-revise":       Route(post ="Y   Y    -   -   -   -     -   -   -",
                                        kwargs=_submitted_report, data=_revision_reason),
    "drills:report-history":      Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        kwargs=_report),
    # POST asks a worker to prepare a long report's PDF; a short one is answered at once.
    "drills:report-pdf":          Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        post ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        kwargs=_report),
    "drills:summary":             Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -"),
    "drills:summary-pdf":         Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -"),
    # Runbooks (compliance): a version's PDF. POST asks a worker to prepare a long version's
    # PDF; a short one is answered at once.
    "compliance:version-pdf":     Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        post ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        kwargs=_runbook_version),
    # API: drill reports (drills)
    "api:drill-report-list":      Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        post ="Y   Y    -   -   -   -     -   -   -",
                                        data=_new_report),
    "api:drill-report-detail":    Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        patch="Y   Y    -   -   -   -     -   -   -",
                                        kwargs=_own_report),
    "api:drill-report-submit":    Route(post ="Y   Y    -   -   -   -     -   -   -",
                                        kwargs=_complete_report),
    "api:drill-report-revise":    Route(post ="Y   Y    -   -   -   -     -   -   -",
                                        kwargs=_submitted_report, data=_revision_reason),
    # Runbooks and approvals (compliance)
    "compliance:document-list":   Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -"),
    "compliance:document-import": Route(get  ="Y   Y    Y   Y   Y   Y     -   -   -",
                                        post ="Y   Y    Y   Y   Y   Y     -   -   -",
                                        data=_runbook_import),
    "compliance:approvals":       Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -"),
    "compliance:diff":            Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        data=_runbook_diff),
    # The diff's per-section part alone (the approvals inbox loads it in place).
    "compliance:diff-sections":   Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        data=_runbook_diff),
    "compliance:document-detail": Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        kwargs=_runbook_document),
    "compliance:document-edit":   Route(get  ="-   Y    -   -   -   -     -   -   -",
                                        post ="-   Y    -   -   -   -     -   -   -",
                                        kwargs=_runbook_document, data=_runbook_control),
    "compliance:change-open":     Route(post ="Y   Y    Y   Y   Y   Y     -   -   -",
                                        kwargs=_runbook_without_open_change,
                                        data=_runbook_change),
    # A review signs the published version: the review roles, with password and code.
    "compliance:document-review": Route(post ="-   Y    Y   Y   Y   Y     -   -   -",
                                        kwargs=_runbook_published, data=_runbook_review),
    "compliance:version-detail":  Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        kwargs=_runbook_version),
    "compliance:version-markdown":
                                  Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        kwargs=_runbook_version),
    # The caller's own draft (another author's is refused: tests/compliance/test_pages.py).
    "compliance:version-submit":  Route(post ="Y   Y    Y   Y   Y   Y     -   -   -",
                                        kwargs=_runbook_version),
    "compliance:version-change-update":
                                  Route(post ="Y   Y    Y   Y   Y   Y     -   -   -",
                                        kwargs=_runbook_version, data=_runbook_change),
    "compliance:version-withdraw":
                                  Route(post ="Y   Y    Y   Y   Y   Y     -   -   -",
                                        kwargs=_runbook_version, data=_runbook_withdraw),
    "compliance:version-publish": Route(post ="-   Y    Y   Y   -   -     -   -   -",
                                        kwargs=_runbook_approved),
    "compliance:section-edit":    Route(get  ="Y   Y    Y   Y   Y   Y     -   -   -",
                                        post ="Y   Y    Y   Y   Y   Y     -   -   -",
                                        kwargs=_runbook_section, data=_runbook_section_text),
    # A procedure update needs the Engineering Manager and the DPO; others see why not.
    "compliance:change-sign":     Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        post ="-   -    Y   -   Y   -     -   -   -",
                                        kwargs=_runbook_change_in_review,
                                        data=_runbook_signature),
    # API: runbooks, their versions, changes and sign-offs (compliance). Signing (reviews,
    # signoffs) re-authenticates with the persona's password and a fresh backup code.
    "api:runbook-list":           Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        post ="-   Y    Y   Y   -   -     -   -   -",
                                        data=_api_runbook_import),
    "api:runbook-detail":         Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        patch="-   Y    -   -   -   -     -   -   -",
                                        kwargs=_runbook,
                                        data=lambda user: {"title": "Renamed runbook"}),
    "api:runbook-reviews":        Route(post ="-   Y    Y   Y   Y   Y     -   -   -",
                                        kwargs=_api_runbook_published, data=_review_sign),
    "api:runbook-changes":        Route(post ="Y   Y    Y   Y   Y   Y     -   -   -",
                                        kwargs=_runbook_closed,
                                        data=lambda user: {"change_type": "contact_update",
                                                           "reason": "New numbers"}),
    "api:runbook-version-list":   Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -"),
    "api:runbook-version-detail": Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        patch="Y   Y    Y   Y   Y   Y     -   -   -",
                                        kwargs=_own_runbook_draft,
                                        data=lambda user: {"content": runbooks.SMALL_RUNBOOK}),
    "api:runbook-version-markdown":
                                  Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        kwargs=_api_runbook_version),
    "api:runbook-version-sections":
                                  Route(post ="Y   Y    Y   Y   Y   Y     -   -   -",
                                        kwargs=_own_runbook_draft_section,
                                        data=lambda user: {"text": "## 1. Contacts\nCall us.\n"}),
    "api:runbook-version-publish":
                                  Route(post ="-   Y    Y   Y   -   -     -   -   -",
                                        kwargs=_api_runbook_approved),
    "api:runbook-change-list":    Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -"),
    "api:runbook-change-detail":  Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        patch="Y   Y    Y   Y   Y   Y     -   -   -",
                                        kwargs=_own_runbook_change,
                                        data=lambda user: {"reason": "Clearer contacts, again"}),
    "api:runbook-change-submit":  Route(post ="Y   Y    Y   Y   Y   Y     -   -   -",
                                        kwargs=_own_runbook_change),
    "api:runbook-change-withdraw":
                                  Route(post ="Y   Y    Y   Y   Y   Y     -   -   -",
                                        kwargs=_own_runbook_change,
                                        data=lambda user: {"reason": "Not needed after all"}),
    "api:runbook-change-signoffs":
                                  Route(post ="-   Y    Y   Y   Y   Y     -   -   -",
                                        kwargs=_runbook_change_for_my_role, data=_change_sign),
    # The outbox's channels (bcp_portal.core.channels): everyone's own inbox; the SRE
    # Lead's notification targets and failing deliveries.
    "notifications:inbox":            Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   -"),
    "notifications:inbox-read":       Route(post ="Y   Y    Y   Y   Y   Y     Y   Y   -",
                                            kwargs=_own_inbox_item),
    "notifications:inbox-read-all":   Route(post ="Y   Y    Y   Y   Y   Y     Y   Y   -"),
    "notifications:target-list":      Route(get  ="-   Y    -   -   -   -     -   -   -"),
    "notifications:target-create":    Route(get  ="-   Y    -   -   -   -     -   -   -",
                                            post ="-   Y    -   -   -   -     -   -   -"),
    "notifications:target-edit":      Route(get  ="-   Y    -   -   -   -     -   -   -",
                                            post ="-   Y    -   -   -   -     -   -   -",
                                            kwargs=_notification_target),
    "notifications:failing":          Route(get  ="-   Y    -   -   -   -     -   -   -"),
    "api:inbox-list":                 Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   -"),
    "api:signoff-list":           Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -"),
    "api:signoff-detail":         Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        kwargs=_signoff),
    # Incidents (incidents, issue #10): read by every role, written by SREs and the SRE Lead.
    "incidents:incident-list":    Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -"),
    "incidents:incident-declare": Route(get  ="Y   Y    -   -   -   -     -   -   -",
                                        post ="Y   Y    -   -   -   -     -   -   -",
                                        data=_incident_form),
    "incidents:type-list":        Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -"),
    "incidents:incident-detail":  Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        kwargs=_incident),
    "incidents:incident-edit":    Route(get  ="Y   Y    -   -   -   -     -   -   -",
                                        post ="Y   Y    -   -   -   -     -   -   -",
                                        kwargs=_incident, data=_incident_form),
    "incidents:timeline-add":     Route(post ="Y   Y    -   -   -   -     -   -   -",
                                        kwargs=_incident,
                                        data=lambda user: {"event": "Replica promoted"}),
    "incidents:incident-status":  Route(post ="Y   Y    -   -   -   -     -   -   -",
                                        kwargs=_incident,
                                        data=lambda user: {"status": "responding"}),
    "incidents:incident-severity":
                                  Route(post ="Y   Y    -   -   -   -     -   -   -",
                                        kwargs=_incident,
                                        data=lambda user: {"severity": "P0", "reason": "Worse"}),
    "incidents:incident-reopen":  Route(post ="Y   Y    -   -   -   -     -   -   -",
                                        kwargs=_restored_incident,
                                        data=lambda user: {"reason": "Errors are back"}),
    # API: incidents, their timeline and the incident types (incidents, issue #10)
    "api:incident-list":          Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        post ="Y   Y    -   -   -   -     -   -   -",
                                        data=_new_incident),
    "api:incident-detail":        Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        patch="Y   Y    -   -   -   -     -   -   -",
                                        kwargs=_incident,
                                        data=lambda user: {"title": "Checkout down"}),
    "api:incident-status":        Route(post ="Y   Y    -   -   -   -     -   -   -",
                                        kwargs=_incident,
                                        data=lambda user: {"status": "responding"}),
    "api:incident-severity":      Route(post ="Y   Y    -   -   -   -     -   -   -",
                                        kwargs=_incident,
                                        data=lambda user: {"severity": "P0", "reason": "Worse"}),
    "api:incident-reopen":        Route(post ="Y   Y    -   -   -   -     -   -   -",
                                        kwargs=_restored_incident,
                                        data=lambda user: {"reason": "Errors are back"}),
    "api:incident-timeline-list": Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        post ="Y   Y    -   -   -   -     -   -   -",
                                        kwargs=_incident_timeline,
                                        data=lambda user: {"event": "Replica promoted"}),
    "api:incident-type-list":     Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -"),
    "api:incident-type-detail":   Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        kwargs=_incident_type),
    # Alert intake (incidents): the SRE Lead's pages; the monitors' token-only endpoints
    "intake:source-list":         Route(get  ="-   Y    -   -   -   -     Y   -   -"),
    "intake:source-create":       Route(get  ="-   Y    -   -   -   -     -   -   -",
                                        post ="-   Y    -   -   -   -     -   -   -",
                                        data=_new_intake_source),
    "intake:source-detail":       Route(get  ="-   Y    -   -   -   -     Y   -   -",
                                        post ="-   Y    -   -   -   -     -   -   -",
                                        kwargs=_intake_source,
                                        data=lambda user: {"map-TOTAL_FORMS": "0",
                                                           "map-INITIAL_FORMS": "0"}),
    "intake:source-revoke":       Route(post ="-   Y    -   -   -   -     -   -   -",
                                        kwargs=_intake_source),
    "intake:alertmanager":        Route(post ="Y   Y    Y   Y   Y   Y     Y   Y   Y",
                                        headers=_intake_token("alertmanager"),
                                        data=_alertmanager_body),
    "intake:generic":             Route(post ="Y   Y    Y   Y   Y   Y     Y   Y   Y",
                                        headers=_intake_token("generic"),
                                        data=_generic_event),
    # DR metrics (incidents): every role that reads incidents (incidents.view_incident);
    # the PDF is last month's report.
    "incidents:metrics":          Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -"),
    "incidents:metrics-pdf":      Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -"),
    "api:incident-metrics-list":  Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -"),
    # Incidents: on-call, the communication matrix, escalation, acknowledgement links
    "incidents:oncall":           Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -"),
    "incidents:override-add":     Route(get  ="Y   Y    -   -   -   -     -   -   -",
                                        post ="Y   Y    -   -   -   -     -   -   -",
                                        data=_own_swap_form),
    "incidents:communication-matrix":
                                  Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -"),
    "incidents:incident-escalation":
                                  Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        kwargs=_incident),
    # Public: the signed link is the credential (a phone, nobody signed in).
    "incidents:page-ack":         Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   Y",
                                        post ="Y   Y    Y   Y   Y   Y     Y   Y   Y",
                                        kwargs=_ack_token),
    # API: on-call (incidents)
    "api:oncall-rotation-list":   Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -"),
    "api:oncall-rotation-detail": Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        kwargs=_rotation),
    "api:oncall-rotation-now":    Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -"),
    "api:oncall-rotation-shifts": Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -"),
    "api:oncall-override-list":   Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        post ="Y   Y    -   -   -   -     -   -   -",
                                        data=_own_swap_json),
    "api:oncall-override-detail": Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        kwargs=_override),
    # Post-mortems and communication drafts (incidents, issue #10)
    "postmortems:list":           Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -"),
    "postmortems:detail":         Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        kwargs=_pm_draft),
    "postmortems:start":          Route(get  ="Y   Y    -   -   -   -     -   -   -",
                                        post ="Y   Y    -   -   -   -     -   -   -",
                                        kwargs=_restored_incident, data=lambda user: {"title": ""}),
    "postmortems:edit":           Route(get  ="Y   Y    -   -   -   -     -   -   -",
                                        post ="Y   Y    -   -   -   -     -   -   -",
                                        kwargs=_pm_draft, data=_pm_form),
    "postmortems:submit":         Route(post ="Y   Y    -   -   -   -     -   -   -",
                                        kwargs=_pm_complete),
    # Everyone who reads post-mortems sees the review page; only the SRE Lead signs.
    "postmortems:sign":           Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        post ="-   Y    -   -   -   -     -   -   -",
                                        kwargs=_pm_in_review, data=_pm_signature),
    "postmortems:publish":        Route(post ="Y   Y    -   -   -   -     -   -   -",
                                        kwargs=_pm_approved),
    "postmortems:revise":         Route(post ="Y   Y    -   -   -   -     -   -   -",
                                        kwargs=_pm_published, data=_revision_reason),
    "postmortems:pdf":            Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        kwargs=_pm_draft),
    "postmortems:communications": Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        post ="Y   Y    -   -   -   -     -   -   -",
                                        kwargs=_incident,
                                        data=lambda user: {"kind": "status_page"}),
    "postmortems:draft-edit":     Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        post ="Y   Y    -   -   -   -     -   -   -",
                                        kwargs=_comm_draft,
                                        data=lambda user: {"subject": "Update", "body": "Fixed."}),
    "postmortems:draft-used":     Route(post ="Y   Y    -   -   -   -     -   -   -",
                                        kwargs=_comm_draft),
    # API: post-mortems and communication drafts (incidents, issue #10)
    "api:postmortem-list":        Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        post ="Y   Y    -   -   -   -     -   -   -",
                                        data=lambda user: {
                                            "incident": _restored_incident(user)["pk"]}),
    "api:postmortem-detail":      Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        patch="Y   Y    -   -   -   -     -   -   -",
                                        kwargs=_api_pm(_pm_draft),
                                        data=lambda user: {"summary": "Failed over."}),
    "api:postmortem-submit":      Route(post ="Y   Y    -   -   -   -     -   -   -",
                                        kwargs=_api_pm(_pm_complete)),
    "api:postmortem-publish":     Route(post ="Y   Y    -   -   -   -     -   -   -",
                                        kwargs=_api_pm(_pm_approved)),
    "api:postmortem-revise":      Route(post ="Y   Y    -   -   -   -     -   -   -",
                                        kwargs=_api_pm(_pm_published), data=_revision_reason),
    "api:postmortem-signoffs":    Route(post ="-   Y    -   -   -   -     -   -   -",
                                        kwargs=_api_pm(_pm_in_review), data=_pm_signature),
    "api:communication-draft-list":
                                  Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        post ="Y   Y    -   -   -   -     -   -   -",
                                        data=lambda user: {"incident": _incident(user)["pk"],
                                                           "kind": "status_page"}),
    "api:communication-draft-detail":
                                  Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        patch="Y   Y    -   -   -   -     -   -   -",
                                        kwargs=lambda user: {"pk": _comm_draft(user)["draft_pk"]},
                                        data=lambda user: {"body": "Fixed."}),
    "api:communication-draft-used":
                                  Route(post ="Y   Y    -   -   -   -     -   -   -",
                                        kwargs=lambda user: {"pk": _comm_draft(user)["draft_pk"]}),
    # The what-if deadline planner and the regimes (compliance, issue #11)
    "planner:planner":            Route(get  ="-   -    -   -   Y   Y     -   -   -",
                                        post ="-   -    -   -   Y   Y     -   -   -",
                                        data=lambda user: _PLANNER_FORM),
    "api:deadline-evaluate-list": Route(post ="-   -    -   -   Y   Y     -   -   -",
                                        data=lambda user: _PLANNER_JSON),
    "api:regime-list":            Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -"),
    "api:regime-detail":          Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        kwargs=lambda user: {"key": "eu_gdpr_art33_art34"}),
    # Notification clocks (compliance, issue #11): facts, obligations, submissions. DPO and
    # Legal Counsel record facts and submissions; only the DPO adds or waives an obligation;
    # the Auditor reads.
    "api:incident-fact-list":     Route(get  ="-   -    -   -   Y   Y     Y   -   -",
                                        post ="-   -    -   -   Y   Y     -   -   -",
                                        kwargs=_clock_incident, data=_clock_fact_json),
    "api:incident-fact-detail":   Route(get  ="-   -    -   -   Y   Y     Y   -   -",
                                        patch="-   -    -   -   Y   Y     -   -   -",
                                        kwargs=_clock_fact,
                                        data=lambda user: {"reason": "Corrected by the DPO."}),
    "api:obligation-list":        Route(get  ="-   -    -   -   Y   Y     Y   -   -",
                                        post ="-   -    -   -   Y   -     -   -   -",
                                        data=lambda user: {
                                            "incident": _incident(user)["pk"],
                                            "regime_name": "Contract with Bank X",
                                            "stage_name": "Notice", "reason": "Clause 12."}),
    "api:obligation-detail":      Route(get  ="-   -    -   -   Y   Y     Y   -   -",
                                        kwargs=_clock_obligation),
    "api:obligation-waive":       Route(post ="-   -    -   -   Y   -     -   -   -",
                                        kwargs=_clock_obligation,
                                        data=lambda user: {"reason": "Not owed."}),
    "api:submission-list":        Route(get  ="-   -    -   -   Y   Y     Y   -   -",
                                        post ="-   -    -   -   Y   Y     -   -   -",
                                        data=lambda user: {
                                            "obligation": _clock_obligation(user)["pk"],
                                            "submitted_at": timezone.now().isoformat(),
                                            "recipient": "Bank X",
                                            "reference_number": "BX-1"}),
    "api:submission-detail":      Route(get  ="-   -    -   -   Y   Y     Y   -   -",
                                        kwargs=_clock_submission),
    "api:submission-attachment":  Route(get  ="-   -    -   -   Y   Y     Y   -   -",
                                        kwargs=_clock_submission),
    # The organisation's legal entities and competent authorities (catalogue, issue #11)
    "catalogue:organisation":     Route(get  ="-   -    -   -   Y   Y     Y   -   -"),
    "catalogue:entity-create":    Route(get  ="-   -    -   -   Y   Y     -   -   -",
                                        post ="-   -    -   -   Y   Y     -   -   -",
                                        data=_entity_form),
    "catalogue:entity-edit":      Route(get  ="-   -    -   -   Y   Y     -   -   -",
                                        post ="-   -    -   -   Y   Y     -   -   -",
                                        kwargs=_legal_entity, data=_entity_form),
    "catalogue:authority-create": Route(get  ="-   -    -   -   Y   Y     -   -   -",
                                        post ="-   -    -   -   Y   Y     -   -   -",
                                        data=_authority_form),
    "catalogue:authority-edit":   Route(get  ="-   -    -   -   Y   Y     -   -   -",
                                        post ="-   -    -   -   Y   Y     -   -   -",
                                        kwargs=_authority, data=_authority_form),
    # Notification clocks (compliance, issue #11): the desk and an incident's notifications,
    # read by the DPO, Legal Counsel and the Auditor; facts and submissions recorded by the
    # DPO and Legal Counsel; obligations added and waived by the DPO.
    "regulatory:desk":            Route(get  ="-   -    -   -   Y   Y     Y   -   -"),
    "regulatory:incident":        Route(get  ="-   -    -   -   Y   Y     Y   -   -",
                                        kwargs=_desk_incident),
    "regulatory:fact-record":     Route(post ="-   -    -   -   Y   Y     -   -   -",
                                        kwargs=_desk_incident, data=_desk_fact_form),
    "regulatory:obligation-add":  Route(post ="-   -    -   -   Y   -     -   -   -",
                                        kwargs=_desk_incident, data=_desk_obligation_form),
    "regulatory:obligation-waive":
                                  Route(post ="-   -    -   -   Y   -     -   -   -",
                                        kwargs=_desk_obligation, data=_desk_waive_form),
    "regulatory:submission-record":
                                  Route(post ="-   -    -   -   Y   Y     -   -   -",
                                        kwargs=_desk_obligation, data=_desk_submission_form),
    "regulatory:submission-attachment":
                                  Route(get  ="-   -    -   -   Y   Y     Y   -   -",
                                        kwargs=_desk_submission),
    "regulatory:pack":            Route(get  ="-   -    -   -   Y   Y     Y   -   -",
                                        kwargs=_desk_incident),
    # The notification regimes' pages (compliance, issue #11): read by the DPO, Legal Counsel
    # and the Auditor; switched on or off (an internal rule's parameters edited) by the DPO.
    "regimes:list":               Route(get  ="-   -    -   -   Y   Y     Y   -   -"),
    "regimes:detail":             Route(get  ="-   -    -   -   Y   Y     Y   -   -",
                                        kwargs=lambda user: {"key": "eu_gdpr_art33_art34"}),
    "regimes:change":             Route(post ="-   -    -   -   Y   -     -   -   -",
                                        kwargs=lambda user: {"key": "eu_gdpr_art33_art34"},
                                        data=lambda user: {"reason": "Not in scope for us."}),
}
# fmt: on
