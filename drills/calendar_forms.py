"""Forms of the drill calendar: a drill, a schedule, a calendar feed.

(Report forms live in drills/forms.py.) Times are entered in the viewer's own time zone,
which the time-zone middleware activates; schedule start times are the organisation's.
"""

from django import forms
from django.core.validators import MaxLengthValidator

from bcp_portal.core import limits
from bcp_portal.core.forms import BoundedModelMultipleChoiceField, PeoplePicker, PortalFormMixin
from bcp_portal.core.people import display_name
from drills import selectors
from drills.models import (
    MAX_PLANNED_DURATION_MINUTES,
    CalendarFeedToken,
    Drill,
    DrillSchedule,
    DrillType,
    validate_planned_duration,
)
from drills.services.planning import SCHEDULE_FIELDS

WEEK_CHOICES = [(1, "First"), (2, "Second"), (3, "Third"), (4, "Fourth"), (5, "Last")]
MONTH_OF_QUARTER_CHOICES = [(1, "First month"), (2, "Second month"), (3, "Third month")]


def duration_field(**kwargs) -> forms.IntegerField:
    """A planned duration: whole minutes, 1 to a week (the drills' one rule)."""
    return forms.IntegerField(
        validators=[validate_planned_duration],
        widget=forms.NumberInput(attrs={"min": 1, "max": MAX_PLANNED_DURATION_MINUTES}),
        **kwargs,
    )


class PeopleField(BoundedModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return display_name(obj)


class DrillForm(PortalFormMixin, forms.ModelForm):
    starts_at = forms.DateTimeField(
        label="Starts at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="In your own time zone.",
    )
    planned_duration_minutes = duration_field(label="Planned duration (minutes)")
    participants = PeopleField(
        queryset=selectors.participant_choices(),
        required=False,
        widget=PeoplePicker,
        help_text="Each is reminded 7 days and 1 day before; with nobody, the SRE role is. "
        f"At most {limits.DRILL_PARTICIPANTS_MAX}.",
        validators=[
            MaxLengthValidator(
                limits.DRILL_PARTICIPANTS_MAX,
                message=f"Choose at most {limits.DRILL_PARTICIPANTS_MAX} participants.",
            )
        ],
    )

    class Meta:
        model = Drill
        fields = [
            "drill_type",
            "title",
            "starts_at",
            "planned_duration_minutes",
            "participants",
            "participant_teams",
            "scenario",
        ]
        widgets = {"scenario": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["drill_type"].queryset = DrillType.objects.filter(is_active=True)
        if self.instance.pk:
            # The type of a planned drill is part of what it is; change it by a new drill.
            del self.fields["drill_type"]
        else:
            for name in ("title", "planned_duration_minutes", "scenario", "participant_teams"):
                self.fields[name].required = False
            self.fields["title"].help_text = "Blank: the drill type's name."
            self.fields["planned_duration_minutes"].help_text = "Blank: the type's default."


class DrillScheduleForm(PortalFormMixin, forms.ModelForm):
    week_of_month = forms.TypedChoiceField(choices=WEEK_CHOICES, coerce=int, label="Week")
    month_of_quarter = forms.TypedChoiceField(
        choices=MONTH_OF_QUARTER_CHOICES,
        coerce=int,
        label="Month of the quarter",
        help_text="Quarterly schedules only.",
    )
    start_time = forms.TimeField(
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text="The organisation's local time.",
    )
    duration_minutes = duration_field(
        label="Duration (minutes)",
        required=False,
        help_text="Blank: the drill type's default.",
    )

    class Meta:
        model = DrillSchedule
        fields = list(SCHEDULE_FIELDS)
        widgets = {"scenario": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "scenario": "Blank: the drill type's default scenario.",
            "is_active": "Inactive: no new drills, and future untouched ones are removed.",
        }


class CalendarFeedForm(PortalFormMixin, forms.Form):
    scope = forms.ChoiceField(
        choices=CalendarFeedToken.Scope.choices, initial=CalendarFeedToken.Scope.MINE
    )
