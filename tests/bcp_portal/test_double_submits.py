"""Issue #8, item 9: a form sent twice is saved once, and the repeat gets the first's result.

Every create form (and the forms that add rows: the report editor, "open a revision")
carries a one-time token. A second post of the same form, the same token, whether a double
click, a page sent again from the browser's history, or a request racing the first, writes
nothing and is sent to what the first saved, saying "Already saved".
"""

import datetime as dt
import re
import threading

import pytest
from django.db import connection
from django.test import Client

from bcp_portal.contacts.models import Contact
from bcp_portal.core import roles
from drills.models import Drill, DrillReport, DrillSchedule
from tests.drills.factories import DrillTypeFactory
from tests.drills.report_factories import DrillReportFactory
from tests.factories import UserFactory
from tests.twofactor import sign_in_verified

FORM_TOKEN_FIELD = "submission_token"  # bcp_portal.core.submissions.FORM_TOKEN_FIELD
TOKEN = re.compile(rf'name="{FORM_TOKEN_FIELD}" value="([^"]+)"')


def token_of(page) -> str:
    """The one-time token the page rendered ("" when it has none)."""
    found = TOKEN.search(page.content.decode())
    return found.group(1) if found else ""


def twice(client, url, data, *, form_url=None):
    """Open the form, then send it twice with the token it carried; both answers."""
    token = token_of(client.get(form_url or url))
    body = {**data, FORM_TOKEN_FIELD: token}
    return client.post(url, body), client.post(url, body, follow=True)


def said_already_saved(response) -> bool:
    return any("Already saved" in str(m) for m in response.context["messages"])


# --- every create form, sent twice -------------------------------------------------------


@pytest.mark.django_db
def test_a_contact_sent_twice_is_added_once_and_the_repeat_shows_it(client_for, srelead):
    first, repeat = twice(
        client_for(srelead), "/contacts/new/", {"name": "Vendor desk", "kind": "vendor"}
    )

    contact = Contact.objects.get()
    assert first.status_code == 302 and first["Location"] == contact.get_absolute_url()
    assert repeat.redirect_chain == [(contact.get_absolute_url(), 302)]
    assert said_already_saved(repeat)


@pytest.mark.django_db
def test_a_service_sent_twice_is_added_once(client_for, srelead):
    from bcp_portal.catalogue.models import Service

    data = {
        "name": "Payments",
        "kind": "service",
        "business_impact": "critical",
        "recovery_priority": "P1",
        "rto_target_minutes": "60",
        "rto_max_minutes": "120",
        "rpo_target_minutes": "5",
        "rpo_max_minutes": "15",
        "is_active": "on",
    }
    first, repeat = twice(client_for(srelead), "/services/new/", data)

    assert first.status_code == 302, first.content.decode()[:2000]
    assert Service.objects.filter(name="Payments").count() == 1
    assert said_already_saved(repeat)


@pytest.mark.django_db
def test_a_drill_sent_twice_is_planned_once(client_for, srelead):
    drill_type = DrillTypeFactory()
    starts = (dt.datetime.now() + dt.timedelta(days=20)).strftime("%Y-%m-%dT10:00")
    data = {"drill_type": drill_type.pk, "starts_at": starts}

    first, repeat = twice(client_for(srelead), "/drills/new/", data)

    assert first.status_code == 302, first.content.decode()[:2000]
    assert Drill.objects.filter(drill_type=drill_type).count() == 1
    assert said_already_saved(repeat)


@pytest.mark.django_db
def test_a_schedule_sent_twice_is_added_once(client_for, srelead):
    drill_type = DrillTypeFactory()
    data = {
        "drill_type": drill_type.pk,
        "cadence": "monthly",
        "week_of_month": "2",
        "weekday": "1",
        "month_of_quarter": "3",
        "start_time": "10:00",
        "is_active": "on",
    }
    first, repeat = twice(client_for(srelead), "/drills/schedules/new/", data)

    assert first.status_code == 302, first.content.decode()[:2000]
    assert DrillSchedule.objects.filter(drill_type=drill_type).count() == 1
    assert repeat.redirect_chain == [("/drills/schedules/", 302)]
    assert said_already_saved(repeat)


@pytest.mark.django_db
def test_an_unplanned_report_sent_twice_records_one_drill_and_one_draft(client_for, sre):
    drill_type = DrillTypeFactory()
    yesterday = dt.date.today() - dt.timedelta(days=1)
    data = {"drill_type": drill_type.pk, "drill_date": yesterday.isoformat()}

    first, repeat = twice(client_for(sre), "/drills/reports/new/", data)

    report = DrillReport.objects.get(drill__drill_type=drill_type)
    assert Drill.objects.filter(drill_type=drill_type).count() == 1
    assert first["Location"] == f"/drills/reports/{report.pk}/edit/"
    assert said_already_saved(repeat)


@pytest.mark.django_db
def test_a_report_saved_twice_adds_its_new_action_step_and_issue_once(client_for, sre):
    report = DrillReportFactory(created_by=sre)
    url = f"/drills/reports/{report.pk}/edit/"
    data = {"drill_date": report.drill_date.isoformat(), "scenario": "Primary database lost."}
    for prefix in ("steps", "issues", "actions"):
        data |= {f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-INITIAL_FORMS": "0"}
    data |= {"steps-0-description": "Restore", "steps-0-ORDER": "1"}
    data |= {"issues-0-description": "Slow restore", "issues-0-severity": "medium"}
    data |= {"actions-0-title": "Script the restore", "actions-0-priority": "medium"}

    first, repeat = twice(client_for(sre), url, data)

    assert first.status_code == 302, first.content.decode()[:3000]
    assert (report.steps.count(), report.issues.count(), report.actions.count()) == (1, 1, 1)
    assert said_already_saved(repeat)


@pytest.mark.django_db
def test_a_report_submitted_twice_says_already_saved_and_shows_it(client_for, sre):
    from tests.drills.report_factories import RecoveryStepFactory
    from tests.factories import ServiceFactory

    report = DrillReportFactory(
        created_by=sre,
        actual_duration_minutes=50,
        rto_actual_minutes=40,
        rpo_actual_minutes=30,
        overall_result="pass",
        summary="Restored.",
    )
    service = ServiceFactory()
    step = RecoveryStepFactory(report=report)
    data = {
        "drill_date": report.drill_date.isoformat(),
        "scenario": "Primary database lost.",
        "services": [service.pk],
        "actual_duration_minutes": "50",
        "rto_actual_minutes": "40",
        "rpo_actual_minutes": "30",
        "overall_result": "pass",
        "summary": "Restored.",
        "submit": "1",
        "steps-TOTAL_FORMS": "1",
        "steps-INITIAL_FORMS": "0",
        "steps-0-id": step.pk,
        "steps-0-description": step.description,
        "steps-0-duration_minutes": "10",
        "steps-0-result": "pass",
        "steps-0-ORDER": "1",
    }
    for prefix in ("issues", "actions"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}

    first, repeat = twice(client_for(sre), f"/drills/reports/{report.pk}/edit/", data)

    assert first.status_code == 302, first.content.decode()[:3000]
    assert repeat.redirect_chain == [(report.get_absolute_url(), 302)]
    assert said_already_saved(repeat)
    report.refresh_from_db()
    assert (report.status, report.revision) == (DrillReport.Status.SUBMITTED, 1)


@pytest.mark.django_db
def test_a_revision_asked_for_twice_opens_one(client_for, sre):
    report = DrillReportFactory(created_by=sre, status=DrillReport.Status.SUBMITTED)
    url = f"/drills/reports/{report.pk}/revise/"

    first, repeat = twice(
        client_for(sre), url, {"reason": "A typo."}, form_url=report.get_absolute_url()
    )

    report.refresh_from_db()
    assert first.status_code == 302
    assert (report.revision, report.status) == (2, DrillReport.Status.DRAFT)
    assert said_already_saved(repeat)


# --- what a token does not change --------------------------------------------------------


@pytest.mark.django_db
def test_a_refused_form_keeps_its_token_free_for_the_corrected_one(client_for, srelead):
    client = client_for(srelead)
    token = token_of(client.get("/contacts/new/"))

    refused = client.post("/contacts/new/", {"kind": "vendor", FORM_TOKEN_FIELD: token})
    corrected = client.post(
        "/contacts/new/", {"name": "Vendor desk", "kind": "vendor", FORM_TOKEN_FIELD: token}
    )

    assert refused.status_code == 200 and token_of(refused) == token
    assert corrected.status_code == 302
    assert Contact.objects.filter(name="Vendor desk").count() == 1


@pytest.mark.django_db
def test_each_showing_of_a_form_has_a_new_token_so_two_contacts_are_two(client_for, srelead):
    client = client_for(srelead)
    for name in ("First desk", "Second desk"):
        token = token_of(client.get("/contacts/new/"))
        client.post("/contacts/new/", {"name": name, "kind": "vendor", FORM_TOKEN_FIELD: token})

    assert Contact.objects.count() == 2


@pytest.mark.django_db
def test_a_damaged_token_is_a_form_error_and_nothing_is_saved(client_for, srelead):
    response = client_for(srelead).post(
        "/contacts/new/", {"name": "Vendor desk", "kind": "vendor", FORM_TOKEN_FIELD: "<x>"}
    )

    assert response.status_code == 200
    assert "one-time token is damaged" in response.content.decode()
    assert not Contact.objects.exists()


@pytest.mark.django_db
def test_someone_elses_token_does_not_reveal_their_result(client_for, srelead):
    other = UserFactory(username="other-lead", roles=[roles.SRE_LEAD])
    token = token_of(client_for(srelead).get("/contacts/new/"))
    body = {"name": "Mine", "kind": "vendor", FORM_TOKEN_FIELD: token}
    client_for(srelead).post("/contacts/new/", body)

    theirs = client_for(other).post("/contacts/new/", {**body, "name": "Theirs"})

    assert theirs.status_code == 302
    assert set(Contact.objects.values_list("name", flat=True)) == {"Mine", "Theirs"}


# --- two requests at the same moment -------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_posts_of_one_form_racing_each_other_add_one_contact(srelead):
    signed_in = Client()
    sign_in_verified(signed_in, srelead)  # two-factor is on in the suite
    cookie = signed_in.cookies["sessionid"].value
    token = token_of(signed_in.get("/contacts/new/"))
    body = {"name": "Raced desk", "kind": "vendor", FORM_TOKEN_FIELD: token}
    start = threading.Barrier(2)
    answers = []

    def post():
        client = Client()
        client.cookies["sessionid"] = cookie
        try:
            start.wait(timeout=10)
            answers.append(client.post("/contacts/new/", body))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    contact = Contact.objects.get(name="Raced desk")
    assert [a.status_code for a in answers] == [302, 302]
    assert {a["Location"] for a in answers} == {contact.get_absolute_url()}


@pytest.mark.django_db
def test_an_admin_add_form_sent_twice_adds_once_and_the_repeat_goes_to_it(client_for, srelead):
    srelead.is_staff = True
    srelead.save()
    client = client_for(srelead)
    url = "/admin/contacts/contact/add/"
    token = token_of(client.get(url))
    body = {"name": "Vendor desk", "kind": "vendor", "is_active": "on", FORM_TOKEN_FIELD: token}

    first = client.post(url, body)
    repeat = client.post(url, body, follow=True)

    contact = Contact.objects.get()
    change = f"/admin/contacts/contact/{contact.pk}/change/"
    assert first.status_code == 302
    assert repeat.redirect_chain == [(change, 302)]
    assert said_already_saved(repeat)
