"""The admin goes through the services or only shows.

Every model registered with the admin has a decision in `DECISIONS`; a model registered
without one fails the first test. A domain (historised) model is either read-only (no add,
change, delete, bulk action or revert, even for a superuser) or service-backed (a change
through the admin calls the page's service with the admin user as actor, and nothing is
deleted or reverted). Operational rows (not historised) and third-party admins are listed
as deliberately out of scope.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from unittest import mock

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.forms import CheckboxInput, MultiWidget
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken

from bcp_portal.catalogue.selectors import organisation_profile
from bcp_portal.catalogue.services import (
    competent_authority_create,
    legal_entity_create,
    organisation_profile_update,
)
from bcp_portal.core import roles
from bcp_portal.core.admin_base import REVERT_REFUSED
from bcp_portal.core.models import AccountEvent, NotificationTarget, UserProfile
from compliance.models import ApprovalRule
from compliance.models_notifications import NotificationRegime
from compliance.services import approval_rule_update
from drills.models import Drill, DrillSchedule
from drills.services.planning import drill_schedule_create, drill_update
from incidents.models import CommunicationRule, IncidentType
from incidents.services.oncall import rotation_create
from tests.actions.factories import ActionFactory, DrillReportFactory
from tests.compliance import api_factories as runbooks
from tests.drills.factories import (
    CalendarFeedTokenFactory,
    DrillFactory,
    DrillScheduleFactory,
    DrillTypeFactory,
)
from tests.factories import ContactFactory, ServiceFactory, UserFactory
from tests.incidents import oncall_factories as oncall
from tests.incidents.factories import declare as declare_incident
from tests.incidents.factories import postmortem_draft

pytestmark = pytest.mark.django_db

READ_ONLY = "read-only"
SERVICE = "through the services"
OPERATIONAL = "operational, not historised: kept as it is"
THIRD_PARTY = "third-party, not historised: out of scope"
APPEND_ONLY = "append-only log: its rows are the trail, never changed"
CREDENTIAL = "a credential: read-only, the one write is the Revoke action (a service, recorded)"

DECISIONS = {
    "auth.User": THIRD_PARTY,
    "auth.Group": THIRD_PARTY,
    # knox's own admin minted a token for any user; ours only shows and revokes (#8, item 3).
    "knox.AuthToken": CREDENTIAL,
    "axes.AccessAttempt": THIRD_PARTY,
    "axes.AccessLog": THIRD_PARTY,
    "axes.AccessFailureLog": THIRD_PARTY,
    "core.OutboxMessage": OPERATIONAL,
    "core.TaskProgress": OPERATIONAL,
    "core.AccountEvent": APPEND_ONLY,
    # Only the user themself changes their settings (core.services.profile_update).
    "core.UserProfile": READ_ONLY,
    # Set by the SRE Lead on the Notifications page, which checks the address; the secret
    # is never shown, here or there.
    "core.NotificationTarget": READ_ONLY,
    "core.InboxItem": OPERATIONAL,
    "catalogue.Service": SERVICE,
    "catalogue.OrganisationProfile": SERVICE,
    "contacts.Contact": SERVICE,
    "actions.Action": SERVICE,
    # No service writes drill types yet.
    "drills.DrillType": READ_ONLY,
    "drills.DrillSchedule": SERVICE,
    "drills.Drill": SERVICE,
    "drills.DrillReport": READ_ONLY,
    # Revoked by their owner on the calendar page, or by an administrator's Revoke action.
    "drills.CalendarFeedToken": CREDENTIAL,
    # No services or pages for post-mortems yet.
    "incidents.PostMortem": READ_ONLY,
    # Incidents (issue #10): declared and edited through the lifecycle services; the
    # timeline and the link rows are written by those services and the incident's page.
    "incidents.Incident": SERVICE,
    "incidents.IncidentType": SERVICE,
    "incidents.TimelineEntry": READ_ONLY,
    "incidents.IncidentService": READ_ONLY,
    "incidents.IncidentResponder": READ_ONLY,
    # Drafted, edited and marked used on the incident pages (issue #10).
    "incidents.CommunicationDraft": READ_ONLY,
    # Signatures are made and voided only by the signing service (re-authenticated).
    "core.SignOff": READ_ONLY,
    # The matrix: superusers only, through approval_rule_update.
    "compliance.ApprovalRule": SERVICE,
    "compliance.NotificationRegime": SERVICE,
    # Notification clocks (issue #11): facts corrected through fact_record; obligations are
    # the engine's answers (added and waived by the DPO on the pages); submissions a record.
    "compliance.IncidentFact": SERVICE,
    "compliance.Obligation": READ_ONLY,
    "compliance.Submission": READ_ONLY,
    # The organisation's legal entities and the authorities it notifies (issue #11).
    "catalogue.LegalEntity": SERVICE,
    "catalogue.CompetentAuthority": SERVICE,
    # Document control through document_update; documents come in by an import.
    "compliance.RunbookDocument": SERVICE,
    "compliance.RunbookVersion": READ_ONLY,
    "compliance.ChangeRequest": READ_ONLY,
    "compliance.RequiredApproval": READ_ONLY,
    "compliance.BreakGlassCopy": OPERATIONAL,
    # Alert intake: sources are made, mapped and revoked on the intake pages (SRE Lead).
    "incidents.IntakeSource": READ_ONLY,
    "incidents.IntakeAlert": OPERATIONAL,
    # Incidents: on-call and escalation (issue #10). The SRE Lead edits the matrix's rows
    # and the rotations through their services; overrides are added on the On call page;
    # escalations, pages and notices are the record of what happened.
    "incidents.CommunicationRule": SERVICE,
    "incidents.OnCallRotation": SERVICE,
    "incidents.OnCallOverride": READ_ONLY,
    "incidents.Escalation": READ_ONLY,
    "incidents.EscalationPage": READ_ONLY,
    "incidents.StakeholderNotice": READ_ONLY,
}


def registered() -> dict[str, admin.ModelAdmin]:
    return {model._meta.label: model_admin for model, model_admin in admin.site._registry.items()}


def is_historised(model) -> bool:
    return hasattr(model._meta, "simple_history_manager_attribute")


def make_intake_source():
    from tests.incidents.intake_factories import make_source

    return make_source(UserFactory(roles=[roles.SRE_LEAD]))[0]


def make_post_mortem():
    return postmortem_draft(UserFactory(roles=[roles.SRE]))


def make_communication_draft():
    from incidents.services.communications import communication_draft_create
    from tests.incidents.factories import declare

    sre = UserFactory(roles=[roles.SRE])
    return communication_draft_create(actor=sre, incident=declare(sre), kind="status_page")


def make_fact(admin_user):
    from compliance import notifications

    return notifications.fact_record(
        actor=admin_user,
        incident=declare_incident(admin_user),
        kind="awareness",
        occurred_at=timezone.now() - dt.timedelta(hours=1),
        time_zone="Europe/Paris",
        reason="Told by the commander.",
    )


def make_obligation(admin_user):
    from compliance import notifications

    return notifications.obligation_add(
        actor=admin_user,
        incident=declare_incident(admin_user),
        regime_name="Contract",
        stage_name="Notice",
        notify="Bank",
        due_at=None,
        reason="Clause 1.",
    )


def make_submission(admin_user):
    from compliance import notifications

    return notifications.submission_record(
        actor=admin_user,
        obligation=make_obligation(admin_user),
        submitted_at=timezone.now(),
        recipient="Bank",
    )


# How to make one row of each read-only model.
READ_ONLY_ROWS: dict[str, Callable] = {
    "core.UserProfile": lambda admin_user: UserProfile.objects.get(user=UserFactory()),
    "core.NotificationTarget": lambda admin_user: NotificationTarget.objects.create(
        name="ops-chat", kind="slack", url="http://127.0.0.1:9/", secret="never-shown"
    ),
    "drills.DrillType": lambda admin_user: DrillTypeFactory(),
    "drills.DrillReport": lambda admin_user: DrillReportFactory(),
    "incidents.PostMortem": lambda admin_user: make_post_mortem(),
    "incidents.TimelineEntry": lambda admin_user: declare_incident(admin_user).timeline.get(),
    "incidents.IncidentService": lambda admin_user: declare_incident(
        admin_user, services=[ServiceFactory()]
    ).service_links.get(),
    "incidents.IncidentResponder": lambda admin_user: declare_incident(
        admin_user, responders=[admin_user]
    ).responder_links.get(),
    "incidents.CommunicationDraft": lambda admin_user: make_communication_draft(),
    "core.SignOff": lambda admin_user: runbooks.signing.valid_approvals(
        runbooks.approved().change
    ).first(),
    "compliance.RunbookVersion": lambda admin_user: runbooks.draft(),
    "compliance.ChangeRequest": lambda admin_user: runbooks.draft().change,
    "compliance.RequiredApproval": lambda admin_user: runbooks.in_review_for(
        None
    ).change.required.first(),
    "incidents.IntakeSource": lambda admin_user: make_intake_source(),
    # Incidents: on-call and escalation (issue #10).
    "incidents.OnCallOverride": lambda admin_user: oncall.an_override(),
    "incidents.Escalation": lambda admin_user: oncall.paged_incident().escalation,
    "incidents.EscalationPage": lambda admin_user: oncall.paged_incident().escalation.pages.get(),
    "incidents.StakeholderNotice": lambda admin_user: oncall.paged_incident().notices.first(),
    # Notification clocks (issue #11).
    "compliance.Obligation": make_obligation,
    "compliance.Submission": make_submission,
}
# How to make one credential of each kind, for `user`.
CREDENTIAL_ROWS: dict[str, Callable] = {
    # A bare row, as the feed's factory makes one: creating it is not what these tests watch.
    "knox.AuthToken": lambda user: AuthToken.objects.create(user, dt.timedelta(days=30))[0],
    "drills.CalendarFeedToken": lambda user: CalendarFeedTokenFactory(user=user),
}


@dataclass
class ServiceCase:
    make: Callable  # (admin user) -> a row
    service: str  # the service, where the admin module imports it
    change: dict  # what the admin form changes
    side_effect: Callable  # (row after the change) -> bool: the service's own effect


SERVICE_CASES: dict[str, ServiceCase] = {
    "catalogue.Service": ServiceCase(
        make=lambda admin_user: ServiceFactory(),
        service="bcp_portal.catalogue.admin.service_update",
        change={"name": "Payments (renamed)"},
        side_effect=lambda row: row.name == "Payments (renamed)",
    ),
    "catalogue.OrganisationProfile": ServiceCase(
        # Through the service once, so the seeded row has a version to (not) revert to.
        make=lambda admin_user: organisation_profile_update(
            actor=admin_user, profile=organisation_profile(), name="Acme"
        ),
        service="bcp_portal.catalogue.admin.organisation_profile_update",
        change={"time_zone": "Europe/Paris"},
        side_effect=lambda row: row.time_zone == "Europe/Paris",
    ),
    "contacts.Contact": ServiceCase(
        make=lambda admin_user: ContactFactory(),
        service="bcp_portal.contacts.admin.contact_update",
        change={"name": "Ada Lovelace"},
        side_effect=lambda row: row.name == "Ada Lovelace",
    ),
    "actions.Action": ServiceCase(
        make=lambda admin_user: ActionFactory(owner=admin_user),
        service="bcp_portal.actions.admin.action_update",
        change={"title": "Automate the restore"},
        side_effect=lambda row: row.title == "Automate the restore",
    ),
    "drills.DrillSchedule": ServiceCase(
        make=lambda admin_user: DrillScheduleFactory(),
        service="drills.admin.drill_schedule_update",
        change={"start_time": "14:30"},
        # The replan: the changed schedule plans its coming drills at the new time.
        side_effect=lambda row: (
            row.drills.exists()
            and all(drill.starts_at.time() == dt.time(14, 30) for drill in row.drills.all())
        ),
    ),
    "drills.Drill": ServiceCase(
        make=lambda admin_user: DrillFactory(),
        service="drills.admin.drill_update",
        change={"title": "Failover, moved by hand"},
        # drill_update marks a person's edit, so regeneration leaves the drill alone.
        side_effect=lambda row: row.edited_by_person,
    ),
    "incidents.Incident": ServiceCase(
        make=lambda admin_user: declare_incident(admin_user),
        service="incidents.admin.incident_update",
        change={"title": "Primary database down, replica promoted"},
        side_effect=lambda row: row.title == "Primary database down, replica promoted",
    ),
    "incidents.IncidentType": ServiceCase(
        make=lambda admin_user: IncidentType.objects.get(key="other"),
        service="incidents.admin.incident_type_update",
        change={"expected_rto_minutes": "90"},
        side_effect=lambda row: row.expected_rto_minutes == 90,
    ),
    "compliance.ApprovalRule": ServiceCase(
        # Through the service once, so the seeded row has a version to (not) revert to.
        make=lambda admin_user: approval_rule_update(
            actor=admin_user,
            rule=ApprovalRule.objects.get(change_type="contact_update"),
            required_roles=["SRE Lead"],
            implementation_lead="On-call SRE",
        ),
        service="compliance.admin.approval_rule_update",
        change={"implementation_lead": "SRE Team"},
        side_effect=lambda row: row.implementation_lead == "SRE Team",
    ),
    "compliance.RunbookDocument": ServiceCase(
        make=lambda admin_user: runbooks.draft().document,
        service="compliance.admin.document_update",
        change={"title": "Recovery runbook (renamed)"},
        side_effect=lambda row: row.title == "Recovery runbook (renamed)",
    ),
    # Notification regimes (issue #11): loaded from the data file after migrate.
    "compliance.NotificationRegime": ServiceCase(
        make=lambda admin_user: NotificationRegime.objects.get(key="seed_service_outage_extended"),
        service="compliance.regime_admin.regime_update",
        change={"min_outage_minutes": "300"},
        side_effect=lambda row: row.min_outage_minutes == 300,
    ),
    # Notification clocks (issue #11): a fact corrected, the clocks evaluated again.
    "compliance.IncidentFact": ServiceCase(
        make=make_fact,
        service="compliance.notification_admin.fact_record",
        change={"reason": "The commander's message was at 09:05."},
        side_effect=lambda row: row.reason == "The commander's message was at 09:05.",
    ),
    "catalogue.LegalEntity": ServiceCase(
        make=lambda admin_user: legal_entity_create(
            actor=admin_user, name="Acme SAS", jurisdictions=["FR"], time_zone="Europe/Paris"
        ),
        service="bcp_portal.catalogue.admin.legal_entity_update",
        change={"holiday_calendars": '["FR"]'},
        side_effect=lambda row: row.holiday_calendars == ["FR"],
    ),
    "catalogue.CompetentAuthority": ServiceCase(
        make=lambda admin_user: competent_authority_create(
            actor=admin_user, name="CNIL", jurisdiction="FR"
        ),
        service="bcp_portal.catalogue.admin.competent_authority_update",
        change={"email": "notifications@cnil.example"},
        side_effect=lambda row: row.email == "notifications@cnil.example",
    ),
    # Incidents: on-call and escalation (issue #10).
    "incidents.CommunicationRule": ServiceCase(
        make=lambda admin_user: CommunicationRule.objects.get(severity="P1"),
        service="incidents.oncall_admin.communication_rule_update",
        change={"notify_within_minutes": "20"},
        side_effect=lambda row: row.notify_within_minutes == 20,
    ),
    "incidents.OnCallRotation": ServiceCase(
        make=lambda admin_user: rotation_create(
            actor=admin_user,
            name="Rota",
            starts_at=timezone.now(),
            members=[UserFactory(roles=[roles.SRE]), UserFactory(roles=[roles.SRE])],
        ),
        service="incidents.oncall_admin.rotation_update",
        change={"shift_days": "14"},
        # The members typed back in the same order stay in it.
        side_effect=lambda row: row.shift_days == 14 and row.member_links.count() == 2,
    ),
}


def url(row, view: str, *args) -> str:
    opts = row._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def post_data(form, **changes) -> dict:
    """What the browser would post back for `form` unchanged, then `changes` on top."""
    data = {}
    for bound in form:
        widget = getattr(bound.field.widget, "widget", bound.field.widget)  # unwrap related
        value = bound.value()
        if isinstance(widget, MultiWidget):
            for index, part in enumerate(widget.decompress(value)):
                data[f"{bound.html_name}_{index}"] = "" if part is None else str(part)
        elif isinstance(widget, CheckboxInput):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(item) for item in value]
        else:
            data[bound.html_name] = "" if value is None else str(value)
    data.update(changes)
    return data


@pytest.fixture
def superuser(db):
    return UserFactory(username="admin-root", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client_for, superuser):
    return client_for(superuser)


# --- the table covers the admin -----------------------------------------------------------


def test_every_model_registered_with_the_admin_has_a_decision_and_none_is_stale():
    labels = set(registered())

    assert sorted(labels - set(DECISIONS)) == [], "registered without a decision"
    assert sorted(set(DECISIONS) - labels) == [], "a decision for a model not registered"


def test_only_models_without_history_are_left_out_of_scope():
    models = {label: model_admin.model for label, model_admin in registered().items()}

    for label, decision in DECISIONS.items():
        if decision in (OPERATIONAL, THIRD_PARTY, APPEND_ONLY):
            assert not is_historised(models[label]), f"{label} keeps history: decide"
        elif decision == CREDENTIAL:
            continue  # whoever owns the model decides; the admin only shows and revokes
        else:
            assert is_historised(models[label]), f"{label} has no history: not a domain model"


def test_the_test_knows_how_to_exercise_every_domain_decision():
    assert set(READ_ONLY_ROWS) == {k for k, v in DECISIONS.items() if v == READ_ONLY}
    assert set(SERVICE_CASES) == {k for k, v in DECISIONS.items() if v == SERVICE}
    assert set(CREDENTIAL_ROWS) == {k for k, v in DECISIONS.items() if v == CREDENTIAL}


def test_no_domain_model_keeps_django_s_delete_selected_action(rf, superuser):
    request = rf.get("/admin/")
    request.user = superuser
    for label, model_admin in registered().items():
        if DECISIONS[label] in (READ_ONLY, SERVICE):
            assert "delete_selected" not in model_admin.get_actions(request), label


# --- what every domain model refuses ------------------------------------------------------


def make_row(label: str, admin_user):
    if label in READ_ONLY_ROWS:
        return READ_ONLY_ROWS[label](admin_user)
    if label in CREDENTIAL_ROWS:
        return CREDENTIAL_ROWS[label](UserFactory())
    return SERVICE_CASES[label].make(admin_user)


HISTORISED_CREDENTIALS = ["drills.CalendarFeedToken"]


@pytest.mark.parametrize(
    "label", sorted(READ_ONLY_ROWS) + sorted(SERVICE_CASES) + HISTORISED_CREDENTIALS
)
def test_a_domain_row_is_neither_deleted_nor_reverted_from_the_admin(
    label, admin_client, superuser
):
    row = make_row(label, superuser)
    model = type(row)
    versions = row.history.count()
    version = row.history.earliest()

    delete_page = admin_client.get(url(row, "delete", row.pk))
    delete_post = admin_client.post(url(row, "delete", row.pk), {"post": "yes"})
    bulk_delete = admin_client.post(
        url(row, "changelist"), {"action": "delete_selected", ACTION_CHECKBOX_NAME: [row.pk]}
    )
    revert_page = admin_client.get(url(row, "simple_history", row.pk, version.history_id))
    revert_post = admin_client.post(
        url(row, "simple_history", row.pk, version.history_id),
        post_data(revert_page.context["adminform"].form),
        follow=True,
    )

    assert delete_page.status_code == 403
    assert delete_post.status_code == 403
    assert bulk_delete.status_code in (200, 302)
    assert revert_page.status_code == 200
    assert revert_page.context["revert_disabled"] is True
    assert 'name="_save"' not in revert_page.content.decode()
    assert revert_post.status_code == 200
    assert REVERT_REFUSED in [str(message) for message in revert_post.context["messages"]]
    assert model.objects.filter(pk=row.pk).exists()
    assert row.history.count() == versions


# --- read-only models -----------------------------------------------------------------------


@pytest.mark.parametrize("label", sorted(READ_ONLY_ROWS))
def test_a_read_only_model_offers_a_superuser_no_add_no_save_and_no_bulk_action(
    label, admin_client, superuser
):
    row = make_row(label, superuser)
    versions = row.history.count()

    change_page = admin_client.get(url(row, "change", row.pk))
    change_post = admin_client.post(url(row, "change", row.pk), {"_save": "Save"})
    add_page = admin_client.get(url(row, "add"))
    changelist = admin_client.get(url(row, "changelist"))

    assert change_page.status_code == 200
    assert change_page.context["has_change_permission"] is False
    assert 'name="_save"' not in change_page.content.decode()
    assert change_post.status_code == 403
    assert add_page.status_code == 403
    assert changelist.status_code == 200
    assert changelist.context["action_form"] is None
    assert row.history.count() == versions


# --- credentials: shown, never edited; revoked through a service -------------------------


def credential_state(row) -> tuple:
    """Everything a change could move: owner, secret, expiry, revocation."""
    row = type(row).objects.filter(pk=row.pk).values().get()
    return tuple(sorted(row.items()))


@pytest.fixture(params=["superuser", "staff who may view and revoke"])
def credential_admin(request, client_for, superuser):
    if request.param == "superuser":
        return superuser
    staff = UserFactory(is_staff=True)
    staff.user_permissions.set(
        Permission.objects.filter(
            codename__in=["view_authtoken", "view_calendarfeedtoken", "revoke_credentials"]
        )
    )
    return staff


@pytest.mark.parametrize("label", sorted(CREDENTIAL_ROWS))
def test_a_staff_post_to_a_credential_s_change_form_cannot_un_revoke_it_or_move_it(
    label, client_for, credential_admin
):
    """Issue #8, item 3. knox's admin let a superuser post this form; the feed token's admin
    was made read-only earlier (500b903), which this keeps as a regression test."""
    owner, other = UserFactory(), UserFactory()
    row = CREDENTIAL_ROWS[label](owner)
    if hasattr(row, "revoked_at"):
        row.revoked_at = timezone.now()
        row.save()
    before = credential_state(row)
    client = client_for(credential_admin)

    page = client.get(url(row, "change", row.pk))
    post = client.post(
        url(row, "change", row.pk),
        {"user": other.pk, "revoked_at_0": "", "revoked_at_1": "", "expiry": "", "_save": "Save"},
    )

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert post.status_code == 403
    assert credential_state(row) == before


@pytest.mark.parametrize("label", sorted(CREDENTIAL_ROWS))
def test_no_one_adds_or_deletes_a_credential_in_the_admin(label, client_for, credential_admin):
    owner = UserFactory()
    row = CREDENTIAL_ROWS[label](owner)
    count = type(row).objects.count()
    client = client_for(credential_admin)

    add_page = client.get(url(row, "add"))
    add_post = client.post(url(row, "add"), {"user": owner.pk, "expiry": ""})
    delete_post = client.post(url(row, "delete", row.pk), {"post": "yes"})

    assert (add_page.status_code, add_post.status_code, delete_post.status_code) == (
        403,
        403,
        403,
    )
    assert type(row).objects.count() == count


@pytest.mark.parametrize("label", sorted(CREDENTIAL_ROWS))
def test_the_revoke_action_revokes_through_the_service_and_records_it_on_the_owner(
    label, client_for, credential_admin
):
    owner = UserFactory()
    row = CREDENTIAL_ROWS[label](owner)

    response = client_for(credential_admin).post(
        url(row, "changelist"), {"action": "revoke", ACTION_CHECKBOX_NAME: [row.pk]}
    )

    assert response.status_code == 302
    current = type(row).objects.filter(pk=row.pk).first()
    assert current is None or current.revoked_at is not None
    [event] = AccountEvent.objects.filter(user=owner)
    assert (event.kind, event.actor) == (AccountEvent.Kind.TOKEN_REVOKED, credential_admin)


@pytest.mark.parametrize("label", sorted(CREDENTIAL_ROWS))
def test_staff_who_may_only_view_credentials_get_no_revoke_action(label, client_for):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.set(
        Permission.objects.filter(codename__in=["view_authtoken", "view_calendarfeedtoken"])
    )
    row = CREDENTIAL_ROWS[label](UserFactory())
    before = credential_state(row)
    client = client_for(staff)

    changelist = client.get(url(row, "changelist"))
    client.post(url(row, "changelist"), {"action": "revoke", ACTION_CHECKBOX_NAME: [row.pk]})

    assert changelist.status_code == 200
    assert changelist.context["action_form"] is None
    assert credential_state(row) == before
    assert not AccountEvent.objects.exists()


# --- service-backed models ----------------------------------------------------------------


@pytest.mark.parametrize("label", sorted(SERVICE_CASES))
def test_a_change_through_the_admin_calls_the_page_s_service_as_the_admin_user(
    label, admin_client, superuser
):
    case = SERVICE_CASES[label]
    row = case.make(superuser)
    target = case.service.rsplit(".", 1)
    module = __import__(target[0], fromlist=[target[1]])
    service = getattr(module, target[1])
    page = admin_client.get(url(row, "change", row.pk))

    with mock.patch.object(module, target[1], wraps=service) as called:
        response = admin_client.post(
            url(row, "change", row.pk), post_data(page.context["adminform"].form, **case.change)
        )

    assert response.status_code == 302, page.context["adminform"].form.errors
    # Once to validate (rolled back), once for real.
    assert called.call_count == 2
    assert all(call.kwargs["actor"] == superuser for call in called.call_args_list)
    row.refresh_from_db()
    assert case.side_effect(row)
    assert row.history.latest().history_user == superuser


def test_a_refusal_by_the_service_comes_back_as_a_form_error_with_the_input_kept(
    admin_client, superuser
):
    drill = DrillFactory(status=Drill.Status.DONE, title="Done drill")
    page = admin_client.get(url(drill, "change", drill.pk))

    response = admin_client.post(
        url(drill, "change", drill.pk),
        post_data(page.context["adminform"].form, title="Renamed after the fact"),
    )

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "only a planned drill changes" in str(form.non_field_errors())
    assert form["title"].value() == "Renamed after the fact"
    drill.refresh_from_db()
    assert drill.title == "Done drill"


def test_an_invalid_organisation_time_zone_is_refused_on_its_field(admin_client, superuser):
    profile = organisation_profile()
    page = admin_client.get(url(profile, "change", profile.pk))

    response = admin_client.post(
        url(profile, "change", profile.pk),
        post_data(page.context["adminform"].form, time_zone="Mars/Olympus"),
    )

    assert response.status_code == 200
    assert "Mars/Olympus" in str(response.context["adminform"].form.errors["time_zone"])
    profile.refresh_from_db()
    assert profile.time_zone == "UTC"


def test_adding_a_schedule_through_the_admin_plans_its_drills(admin_client, superuser):
    drill_type = DrillTypeFactory()
    page = admin_client.get(reverse("admin:drills_drillschedule_add"))

    response = admin_client.post(
        reverse("admin:drills_drillschedule_add"),
        post_data(page.context["adminform"].form, drill_type=str(drill_type.pk)),
    )

    assert response.status_code == 302, page.context["adminform"].form.errors
    schedule = DrillSchedule.objects.get(drill_type=drill_type)
    assert schedule.drills.exists()
    assert schedule.history.get().history_user == superuser


def test_adding_a_drill_through_the_admin_takes_its_type_s_defaults_as_drill_create_does(
    admin_client, superuser
):
    drill_type = DrillTypeFactory(default_scenario="Region lost.")
    page = admin_client.get(reverse("admin:drills_drill_add"))
    starts = timezone.localtime() + dt.timedelta(days=5)

    response = admin_client.post(
        reverse("admin:drills_drill_add"),
        post_data(
            page.context["adminform"].form,
            drill_type=str(drill_type.pk),
            title="Ad-hoc failover",
            starts_at_0=f"{starts:%Y-%m-%d}",
            starts_at_1="09:00:00",
            planned_duration_minutes="45",
            participants=[str(superuser.pk)],
        ),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    drill = Drill.objects.get(title="Ad-hoc failover")
    assert drill.scenario == "Region lost."
    assert list(drill.participants.all()) == [superuser]
    assert drill.history.latest().history_user == superuser


def test_cancelling_drills_in_bulk_goes_through_drill_cancel(admin_client, superuser):
    planned = DrillFactory()
    done = DrillFactory(status=Drill.Status.DONE)

    response = admin_client.post(
        reverse("admin:drills_drill_changelist"),
        {"action": "cancel_drills", ACTION_CHECKBOX_NAME: [planned.pk, done.pk]},
        follow=True,
    )

    planned.refresh_from_db()
    done.refresh_from_db()
    assert planned.status == Drill.Status.CANCELLED
    assert planned.history.latest().history_user == superuser
    assert done.status == Drill.Status.DONE
    page = response.content.decode()
    assert "1 drill(s) cancelled." in page
    assert "is done already" in page


# --- acceptance: the schedule replans, the owner rule holds --------------------------------


def test_changing_a_schedule_s_start_time_in_the_admin_moves_its_untouched_drills_only(
    client_for,
):
    lead = UserFactory(is_staff=True, roles=[roles.SRE_LEAD])
    schedule = drill_schedule_create(
        actor=lead, drill_type=DrillTypeFactory(), start_time=dt.time(10, 0)
    )
    drills = list(schedule.drills.filter(starts_at__gt=timezone.now()).order_by("starts_at"))
    assert len(drills) >= 2
    edited = drill_update(actor=lead, drill=drills[0], title="Moved by a person")
    client = client_for(lead)
    page = client.get(url(schedule, "change", schedule.pk))

    response = client.post(
        url(schedule, "change", schedule.pk),
        post_data(page.context["adminform"].form, start_time="15:45"),
    )

    assert response.status_code == 302, page.context["adminform"].form.errors
    edited.refresh_from_db()
    assert edited.starts_at.time() == dt.time(10, 0)
    for drill in drills[1:]:
        drill.refresh_from_db()
        assert drill.starts_at.time() == dt.time(15, 45)
        assert drill.history.latest().history_user == lead
    schedule.refresh_from_db()
    assert schedule.start_time == dt.time(15, 45)
    assert schedule.history.latest().history_user == lead


def change_action_in_admin(client, action, **changes):
    page = client.get(url(action, "change", action.pk))
    assert page.status_code == 200
    return client.post(
        url(action, "change", action.pk), post_data(page.context["adminform"].form, **changes)
    )


def test_a_staff_member_who_neither_owns_nor_manages_an_action_cannot_change_it_in_the_admin(
    client_for,
):
    owner = UserFactory(roles=[roles.SRE])
    other_sre = UserFactory(is_staff=True, roles=[roles.SRE])
    action = ActionFactory(owner=owner, title="Write the failover runbook")

    response = change_action_in_admin(client_for(other_sre), action, title="Pushed aside")

    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert any(error.startswith("Only the action's owner") for error in errors)
    action.refresh_from_db()
    assert action.title == "Write the failover runbook"
    assert action.history.count() == 1


@pytest.mark.parametrize("who", ["owner", roles.SRE_LEAD, roles.ENGINEERING_MANAGER, roles.CTO])
def test_an_action_s_owner_or_a_manager_changes_it_in_the_admin(client_for, who):
    owner = UserFactory(is_staff=True, roles=[roles.SRE])
    editor = owner if who == "owner" else UserFactory(is_staff=True, roles=[who])
    action = ActionFactory(owner=owner, title="Write the failover runbook")

    response = change_action_in_admin(client_for(editor), action, title="Runbook written")

    assert response.status_code == 302
    action.refresh_from_db()
    assert action.title == "Runbook written"
    assert action.history.latest().history_user == editor
