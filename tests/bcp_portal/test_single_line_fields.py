"""A line break in a single-line field (a title, a name) is refused on the pages, in the
admin and in the API; the outbox flattens every subject, so an older row holding one is
still delivered instead of ending "failed" with its reminders lost (issue #8, item 10)."""

import pytest
from django import forms
from django.test import Client
from knox.models import AuthToken

from bcp_portal.actions.models import Action
from bcp_portal.contacts.models import Contact
from bcp_portal.core import outbox
from bcp_portal.core.forms import PortalFormMixin
from bcp_portal.core.models import OutboxMessage
from bcp_portal.core.text import SINGLE_LINE_MESSAGE, one_line
from drills.models import DrillReport
from tests.actions.factories import DrillReportFactory
from tests.factories import OutboxMessageFactory, UserFactory
from tests.twofactor import sign_in_verified

pytestmark = pytest.mark.django_db

BREAKS = ["First\nSecond", "First\r\nSecond", "First\rSecond", "First\u2028Second"]


class _Form(PortalFormMixin, forms.Form):
    title = forms.CharField()
    notes = forms.CharField(widget=forms.Textarea, required=False)


@pytest.mark.parametrize("text", BREAKS)
def test_the_shared_form_base_refuses_a_line_break_in_a_one_line_box_only(text):
    form = _Form(data={"title": text, "notes": text})
    assert not form.is_valid()
    assert form.errors == {"title": [SINGLE_LINE_MESSAGE]}
    assert _Form(data={"title": "One line", "notes": text}).is_valid()


def test_a_page_refuses_a_contact_name_with_a_line_break_and_keeps_the_input(client_for, srelead):
    response = client_for(srelead).post(
        "/contacts/new/", {"name": "Ada\nLovelace", "kind": "executive", "is_active": "on"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [SINGLE_LINE_MESSAGE]
    assert not Contact.objects.exists()


def test_the_admin_refuses_a_contact_name_with_a_line_break(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    sign_in_verified(client, admin)  # two-factor is on in the suite
    response = client.post(
        "/admin/contacts/contact/add/",
        {"name": "Ada\nLovelace", "kind": "executive", "is_active": "on"},
    )
    assert response.status_code == 200
    assert SINGLE_LINE_MESSAGE in response.content.decode()
    assert not Contact.objects.exists()


@pytest.mark.parametrize("text", BREAKS)
def test_the_api_refuses_an_action_title_with_a_line_break_naming_the_field(sre, text):
    report = DrillReportFactory(status=DrillReport.Status.SUBMITTED)
    _, key = AuthToken.objects.create(sre)
    response = _api(key).post(
        "/api/v1/actions",
        {"title": text, "drill_report": report.pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"title": [SINGLE_LINE_MESSAGE]}
    assert not Action.objects.exists()


def test_the_api_still_takes_line_breaks_in_multi_line_text(sre):
    # A draft of the caller's own: a submitted report takes no new action (issue #8, item 4).
    report = DrillReportFactory(created_by=sre)
    _, key = AuthToken.objects.create(sre)
    response = _api(key).post(
        "/api/v1/actions",
        {"title": "One line", "description": "Line one\nLine two", "drill_report": report.pk},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert Action.objects.get().description == "Line one\nLine two"


def test_a_new_message_has_its_subject_on_one_line(db):
    user = UserFactory()
    message = outbox.outbox_add(
        key="k:1", subject="Action overdue: Restore\nthe  backups\r\n", body="b", to_user=user
    )
    assert message.subject == "Action overdue: Restore the backups"


def test_an_older_message_with_a_line_break_in_its_subject_is_still_delivered(db, mailoutbox):
    message = OutboxMessageFactory(
        subject="Drill within a day: Restore\nthe database", to_user=UserFactory()
    )
    assert outbox.deliver(message.pk) == OutboxMessage.Status.SENT
    [mail] = mailoutbox
    assert mail.subject == "Drill within a day: Restore the database"


def test_one_line_collapses_every_kind_of_whitespace():
    assert one_line("  a\tb\n\nc\u2028d  ") == "a b c d"


def _api(key):
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def test_every_model_serializer_of_the_api_has_the_shared_base():
    from rest_framework import serializers

    from bcp_portal.api.urls import router
    from bcp_portal.core.api.serializers import PortalModelSerializer

    found = []
    for _prefix, viewset, _basename in router.registry:
        serializer = viewset.serializer_class()
        nested = [
            getattr(field, "child", field)
            for field in serializer.fields.values()
            if isinstance(getattr(field, "child", field), serializers.ModelSerializer)
        ]
        for each in [serializer, *nested]:
            if not isinstance(each, serializers.ModelSerializer):
                continue  # a computed answer (the DR metrics) reads no model's fields
            found.append(type(each))
            assert isinstance(each, PortalModelSerializer), type(each)
    assert len(found) >= 7
