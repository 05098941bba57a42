"""Each drill rule has one home, and every page, form and API call gives its answer."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from drills.calendar_forms import DrillForm, DrillScheduleForm
from drills.forms import ActionForm, DrillReportForm, StepForm
from drills.models import (
    MAX_PLANNED_DURATION_MINUTES,
    STEP_ENDS_BEFORE_START,
    Drill,
    RecoveryStep,
)
from drills.report_api import StepSerializer
from drills.selectors import participant_choices
from tests.drills.factories import DrillFactory, DrillTypeFactory
from tests.factories import UserFactory

START = dt.datetime(2027, 3, 1, 10, 0, tzinfo=dt.UTC)
BEFORE = START - dt.timedelta(minutes=5)


def test_a_step_ending_before_it_starts_gets_the_same_error_from_model_form_and_api(db):
    step = RecoveryStep(order=1, description="x", started_at=START, ended_at=BEFORE)
    with pytest.raises(ValidationError) as model_error:
        step.clean()
    form = StepForm(data={"description": "x", "started_at": START, "ended_at": BEFORE})
    serializer = StepSerializer(
        data={"description": "x", "started_at": START.isoformat(), "ended_at": BEFORE.isoformat()}
    )

    assert model_error.value.message_dict == {"ended_at": [STEP_ENDS_BEFORE_START]}
    assert not form.is_valid() and form.errors["ended_at"] == [STEP_ENDS_BEFORE_START]
    assert not serializer.is_valid()
    assert [str(e) for e in serializer.errors["ended_at"]] == [STEP_ENDS_BEFORE_START]


def test_a_step_ending_when_it_starts_is_accepted_everywhere(db):
    RecoveryStep(order=1, description="x", started_at=START, ended_at=START).clean()
    assert StepForm(data={"description": "x", "started_at": START, "ended_at": START}).is_valid()
    assert StepSerializer(
        data={"description": "x", "started_at": START.isoformat(), "ended_at": START.isoformat()}
    ).is_valid()


@pytest.mark.parametrize(
    ("minutes", "accepted"),
    [(1, True), (MAX_PLANNED_DURATION_MINUTES, True), (MAX_PLANNED_DURATION_MINUTES + 1, False)],
)
def test_the_drill_form_the_schedule_form_and_the_api_share_the_duration_cap(
    client_for, srelead, minutes, accepted
):
    drill_type = DrillTypeFactory()
    drill_form = DrillForm(
        data={
            "drill_type": drill_type.pk,
            "starts_at": "2027-03-01T10:00",
            "planned_duration_minutes": str(minutes),
        }
    )
    schedule_form = DrillScheduleForm(
        data={
            "drill_type": drill_type.pk,
            "cadence": "monthly",
            "week_of_month": "1",
            "weekday": "1",
            "month_of_quarter": "3",
            "start_time": "10:00",
            "duration_minutes": str(minutes),
            "is_active": "on",
        }
    )
    response = client_for(srelead).post(
        "/api/v1/drills",
        {
            "drill_type": drill_type.key,
            "starts_at": "2027-03-01T10:00:00Z",
            "planned_duration_minutes": minutes,
        },
        content_type="application/json",
    )
    assert drill_form.is_valid() is accepted, drill_form.errors
    assert schedule_form.is_valid() is accepted, schedule_form.errors
    assert (response.status_code == 201) is accepted, response.json()
    if not accepted:
        message = f"Give a duration from 1 to {MAX_PLANNED_DURATION_MINUTES} minutes (a week)."
        assert drill_form.errors["planned_duration_minutes"] == [message]
        assert schedule_form.errors["duration_minutes"] == [message]
        assert response.json()["error"]["fields"]["planned_duration_minutes"] == [message]


def test_overdue_drills_are_the_same_in_the_queryset_and_on_the_drill(db):
    now = timezone.now()
    just_overdue = DrillFactory(starts_at=now - dt.timedelta(days=2))
    not_yet = DrillFactory(starts_at=now - dt.timedelta(days=2) + dt.timedelta(minutes=1))
    cancelled = DrillFactory(starts_at=now - dt.timedelta(days=5), status=Drill.Status.CANCELLED)
    overdue = set(Drill.objects.overdue(now))
    assert overdue == {just_overdue}
    for drill in (just_overdue, not_yet, cancelled):
        assert drill.is_overdue(now) is (drill in overdue)


def test_the_drill_and_report_forms_offer_the_same_people_as_the_selector(db, sre, srelead):
    UserFactory(username="no-role", roles=[])
    UserFactory(username="gone", roles=["SRE"], is_active=False)
    expected = list(participant_choices())
    assert {u.username for u in expected} == {sre.username, srelead.username}
    assert list(DrillForm().fields["participants"].queryset) == expected
    assert list(DrillReportForm().fields["participants"].queryset) == expected
    assert list(ActionForm().fields["owner"].queryset) == expected
