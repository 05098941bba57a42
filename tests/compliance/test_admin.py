"""The approval matrix in the admin: superusers edit it through its service, with history;
a change already in review keeps its roles; other staff only read it; a bad role list is a
form error that keeps what was typed. The changelists that name versions read no Markdown."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bcp_portal.core import roles, signing
from compliance.models import ApprovalRule
from tests.compliance import api_factories as runbooks
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return UserFactory(username="admin-root", is_staff=True, is_superuser=True)


@pytest.fixture
def rule(db):
    return ApprovalRule.objects.get(change_type="procedure_update")


def change_url(rule: ApprovalRule) -> str:
    return reverse("admin:compliance_approvalrule_change", args=[rule.pk])


def test_a_matrix_edit_in_the_admin_is_historised_and_leaves_a_change_in_review_untouched(
    client_for, superuser, rule
):
    in_review = runbooks.in_review_for(UserFactory(roles=[roles.ENGINEERING_MANAGER]))
    assert signing.missing_roles(in_review.change) == ["Engineering Manager", "DPO"]
    versions = rule.history.count()

    response = client_for(superuser).post(
        change_url(rule),
        {"required_roles": ["CTO", "Legal Counsel"], "implementation_lead": "CTO office"},
    )

    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.required_roles == ["CTO", "Legal Counsel"]
    assert rule.implementation_lead == "CTO office"
    assert rule.history.count() == versions + 1
    latest = rule.history.latest()
    assert (latest.history_user, latest.history_source) == (superuser, "admin")
    in_review.change.refresh_from_db()
    assert signing.missing_roles(in_review.change) == ["Engineering Manager", "DPO"]
    assert [r.role for r in in_review.change.required.all()] == ["Engineering Manager", "DPO"]
    # A change submitted now takes the new roles.
    later = runbooks.in_review_for(None)
    assert signing.missing_roles(later.change) == ["CTO", "Legal Counsel"]


def test_the_role_picker_offers_every_signing_role_as_a_checkbox(client_for, superuser, rule):
    page = client_for(superuser).get(change_url(rule))

    html = page.content.decode()
    assert page.status_code == 200
    for role in ("SRE", "SRE Lead", "Engineering Manager", "CTO", "DPO", "Legal Counsel"):
        assert f'type="checkbox" name="required_roles" value="{role}"' in html
    assert 'value="Auditor"' not in html


def test_a_staff_sre_lead_reads_the_matrix_but_cannot_change_it(client_for, rule):
    lead = UserFactory(roles=[roles.SRE_LEAD], is_staff=True)
    before = (list(rule.required_roles), rule.implementation_lead, rule.history.count())
    client = client_for(lead)

    page = client.get(change_url(rule))
    post = client.post(change_url(rule), {"required_roles": ["SRE"], "implementation_lead": "Me"})

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert post.status_code == 403
    rule.refresh_from_db()
    assert (rule.required_roles, rule.implementation_lead, rule.history.count()) == before


def test_a_bad_role_list_is_a_form_error_that_keeps_the_input(client_for, superuser, rule):
    client = client_for(superuser)

    unknown = client.post(
        change_url(rule),
        {"required_roles": ["DPO", "Chief Wizard"], "implementation_lead": "Typed lead"},
    )
    none = client.post(change_url(rule), {"implementation_lead": "Typed lead"})
    auditor = client.post(
        change_url(rule), {"required_roles": ["Auditor"], "implementation_lead": "Typed lead"}
    )

    for response in (unknown, none, auditor):
        assert response.status_code == 200
        form = response.context["adminform"].form
        assert "required_roles" in form.errors
        assert form["implementation_lead"].value() == "Typed lead"
    assert "Chief Wizard" in str(unknown.context["adminform"].form.errors["required_roles"])
    assert unknown.context["adminform"].form["required_roles"].value() == ["DPO", "Chief Wizard"]
    rule.refresh_from_db()
    assert rule.required_roles == ["Engineering Manager", "DPO"]


def test_document_control_in_the_admin_goes_through_the_service_and_adds_nothing(
    client_for, superuser
):
    document = runbooks.draft().document
    client = client_for(superuser)

    add = client.get(reverse("admin:compliance_runbookdocument_add"))
    bad = client.post(
        reverse("admin:compliance_runbookdocument_change", args=[document.pk]),
        {
            "title": "Recovery",
            "owner": "SRE Team",
            "classification": "confidential",
            "review_cadence": "weekly",
            "next_review": "2027-01-01",
        },
    )

    assert add.status_code == 403
    assert bad.status_code == 200
    assert "review_cadence" in bad.context["adminform"].form.errors
    assert bad.context["adminform"].form["title"].value() == "Recovery"


@pytest.mark.parametrize(
    "changelist",
    [
        "admin:compliance_runbookversion_changelist",
        "admin:compliance_changerequest_changelist",
        "admin:compliance_requiredapproval_changelist",
        "admin:compliance_breakglasscopy_changelist",
    ],
)
def test_the_changelists_naming_a_version_never_read_its_markdown(
    client_for, superuser, changelist, settings, tmp_path
):
    settings.BREAK_GLASS_DIR = str(tmp_path)  # a publish plans a copy (written on commit)
    runbooks.published()
    runbooks.in_review_for(None)
    client = client_for(superuser)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(changelist))

    assert response.status_code == 200
    assert "DR-API-" in response.content.decode()  # the rows name their versions
    read = " ".join(q["sql"] for q in queries.captured_queries)
    assert '"compliance_runbookversion"."content"' not in read
    assert '"compliance_runbookversion"."label"' in read


def test_a_version_s_admin_page_still_shows_its_markdown(client_for, superuser):
    version = runbooks.draft()

    page = client_for(superuser).get(
        reverse("admin:compliance_runbookversion_change", args=[version.pk])
    )

    assert page.status_code == 200
    assert "Call the on-call engineer first." in page.content.decode()
