"""Post-mortem and communication draft forms: they parse; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms

from bcp_portal.actions.models import Action
from bcp_portal.core.forms import PortalFormMixin
from bcp_portal.core.people import display_name
from bcp_portal.core.reauth import code_field
from bcp_portal.core.roles import role_holders
from bcp_portal.core.signing import MAX_COMMENT_CHARS
from incidents.models_postmortems import (
    MAX_DRAFT_CHARS,
    MAX_LESSON_CHARS,
    MAX_REASON_CHARS,
    MAX_TEXT_CHARS,
    POSTMORTEM_ACTIONS_MAX,
    POSTMORTEM_LESSONS_MAX,
    CommunicationDraft,
    PostMortemLesson,
)
from incidents.services.postmortems import FIELDS

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return display_name(obj)


class PostMortemStartForm(PortalFormMixin, forms.Form):
    one_time = True  # it creates the post-mortem
    title = forms.CharField(
        max_length=200, required=False, help_text="Blank: the incident's title."
    )


class PostMortemForm(PortalFormMixin, forms.Form):
    one_time = True  # the editor adds rows (lessons, actions)
    title = forms.CharField(max_length=200)
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=MAX_TEXT_CHARS
    )
    impact = forms.CharField(
        label="Impact",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=MAX_TEXT_CHARS,
        help_text="Who was affected and how (customer impact).",
    )
    root_cause = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=MAX_TEXT_CHARS
    )
    contributing_factors = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=MAX_TEXT_CHARS
    )
    went_well = forms.CharField(
        label="What went well",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=MAX_TEXT_CHARS,
    )
    to_improve = forms.CharField(
        label="What could be improved",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=MAX_TEXT_CHARS,
    )

    def fields_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in FIELDS}


class LessonForm(PortalFormMixin, forms.Form):
    id = forms.IntegerField(
        required=False, widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1
    )
    category = forms.ChoiceField(
        choices=PostMortemLesson.Category.choices, initial=PostMortemLesson.Category.OTHER
    )
    text = forms.CharField(
        label="Lesson",
        required=False,
        max_length=MAX_LESSON_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ActionItemForm(PortalFormMixin, forms.Form):
    id = forms.IntegerField(
        required=False, widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1
    )
    title = forms.CharField(label="Action", required=False, max_length=300)
    owner = PersonChoiceField(queryset=role_holders(), required=False)
    due_date = forms.DateField(required=False, widget=DATE_INPUT)
    priority = forms.ChoiceField(choices=Action.Priority.choices, initial=Action.Priority.MEDIUM)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = role_holders()  # type: ignore[attr-defined]  # a ModelChoiceField


class RowsFormSet(forms.BaseFormSet):
    """DELETE as a hidden input the page's buttons drive (static/js/formset.js)."""

    blank_ignored: tuple[str, ...] = ()

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        form.fields["DELETE"].widget = forms.HiddenInput(attrs={"data-delete": "1"})

    def rows(self) -> list[dict[str, Any]]:
        """The kept rows, in order; untouched blank rows are dropped."""
        rows = []
        for form in self.forms:
            if self._should_delete_form(form):
                continue
            data = {k: v for k, v in form.cleaned_data.items() if k != "DELETE"}
            typed = {k: v for k, v in data.items() if k not in ("id", *self.blank_ignored)}
            if data.get("id") or any(v not in (None, "") for v in typed.values()):
                rows.append(data)
        return rows


class LessonRows(RowsFormSet):
    blank_ignored = ("category",)


class ActionRows(RowsFormSet):
    blank_ignored = ("priority",)


def _limited(count: int) -> dict[str, Any]:
    return {"max_num": count, "validate_max": True, "absolute_max": count}


LessonFormSet = forms.formset_factory(
    LessonForm, formset=LessonRows, extra=0, can_delete=True, **_limited(POSTMORTEM_LESSONS_MAX)
)
ActionItemFormSet = forms.formset_factory(
    ActionItemForm, formset=ActionRows, extra=0, can_delete=True, **_limited(POSTMORTEM_ACTIONS_MAX)
)


class ReviseForm(PortalFormMixin, forms.Form):
    one_time = True  # it opens a revision
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=MAX_REASON_CHARS,
        help_text="Why the published post-mortem changes: kept with the revision.",
    )


class SignForm(PortalFormMixin, forms.Form):
    """The SRE Lead's review: decision, comment, password and code, with the hash shown.
    The signing service re-authenticates (never the form: a code is checked once)."""

    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("reject", "Reject (back to draft)")],
        widget=forms.RadioSelect,
        initial="approve",
    )
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=MAX_COMMENT_CHARS,
        help_text="Required to reject: the author reads it.",
    )
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    otp_code = code_field()
    shown_hash = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision"].widget.attrs["class"] = "form-check-input"


class DraftCreateForm(PortalFormMixin, forms.Form):
    one_time = True
    kind = forms.ChoiceField(choices=CommunicationDraft.Kind.choices)


class DraftEditForm(PortalFormMixin, forms.Form):
    subject = forms.CharField(max_length=200)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 14}), max_length=MAX_DRAFT_CHARS)
