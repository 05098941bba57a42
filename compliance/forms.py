"""Runbook page forms. Services do the checks that matter; these parse what was typed."""

from __future__ import annotations

from typing import Any

from django import forms

from bcp_portal.core.forms import PortalFormMixin
from bcp_portal.core.people import display_name
from bcp_portal.core.reauth import code_field
from bcp_portal.core.roles import role_holders_and
from compliance.markdown import MAX_RUNBOOK_BYTES, RunbookTextError, decode_upload
from compliance.models import (
    MAX_COMMENT_CHARS,
    MAX_REASON_CHARS,
    ChangeType,
    Classification,
    ReviewCadence,
    RunbookDocument,
)

MAX_MB = MAX_RUNBOOK_BYTES // (1024 * 1024)
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
REASON_HELP = (
    f"Why the runbook changes: approvers read it first (up to {MAX_REASON_CHARS} characters)."
)


def _blank_first(choices: Any, label: str) -> list[tuple[str, str]]:
    return [("", label), *choices]


def reason_field(help_text: str = REASON_HELP) -> forms.CharField:
    """A change's reason: optional until the change is submitted (the service checks it)."""
    return forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=MAX_REASON_CHARS,
        help_text=help_text,
    )


class ImportForm(PortalFormMixin, forms.Form):
    """Upload a Markdown runbook: a new document, or a change of the one its id names."""

    one_time = True
    file = forms.FileField(
        label="Markdown file",
        allow_empty_file=True,  # decode_upload says why an empty file is refused
        help_text=f"A .md file in UTF-8, at most {MAX_MB} MB ({MAX_RUNBOOK_BYTES:,} bytes).",
    )
    change_type = forms.ChoiceField(choices=ChangeType.choices)
    reason = reason_field()
    doc_id = forms.CharField(
        label="Document ID",
        required=False,
        max_length=64,
        help_text="Blank: the file's “Document ID” line. A known id opens a change of that "
        "document with this file as its content.",
    )
    title = forms.CharField(required=False, max_length=200, help_text="Blank: the file's title.")
    owner = forms.CharField(
        required=False, max_length=120, help_text="Blank: the file's “Owner” line, else SRE Team."
    )
    classification = forms.ChoiceField(
        choices=_blank_first(Classification.choices, "From the file"), required=False
    )
    review_cadence = forms.ChoiceField(
        choices=_blank_first(ReviewCadence.choices, "Semi-annual (default)"), required=False
    )
    next_review = forms.DateField(
        required=False, widget=DATE_INPUT, help_text="Blank: the file's “Next Review”."
    )

    text: str = ""

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size is not None and upload.size > MAX_RUNBOOK_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size:,} bytes; a runbook may be at most {MAX_MB} MB."
            )
        try:
            self.text = decode_upload(upload.read())
        except RunbookTextError as exc:
            raise forms.ValidationError(str(exc)) from None
        return upload


class ChangeUpdateForm(PortalFormMixin, forms.Form):
    """A change's type and reason (its author changes them while it is open)."""

    change_type = forms.ChoiceField(choices=ChangeType.choices)
    reason = reason_field()


class ChangeOpenForm(ChangeUpdateForm):
    """Propose a change: a new draft copying the current version."""

    one_time = True
    reason = reason_field(REASON_HELP + " You may also give it before submitting.")


class WithdrawForm(PortalFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why withdraw it",
        max_length=MAX_REASON_CHARS,
        help_text="Kept in the version's history.",
    )


class SectionEditForm(PortalFormMixin, forms.Form):
    text = forms.CharField(
        label="Section (Markdown: its heading and body)",
        widget=forms.Textarea(attrs={"rows": 20, "class": "font-monospace", "spellcheck": "true"}),
        strip=False,
        required=False,
    )
    content_sha256 = forms.CharField(widget=forms.HiddenInput, max_length=64)


class _SignatureFields(PortalFormMixin, forms.Form):
    """Role, comment, password and code, with the hash the page showed. The signing
    service re-authenticates (never the form: a code is checked once)."""

    role = forms.ChoiceField(choices=())
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=MAX_COMMENT_CHARS
    )
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    otp_code = code_field()
    shown_hash = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, roles: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["role"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(r, r) for r in roles]
        if len(roles) == 1:
            field.initial = roles[0]
            field.widget = forms.HiddenInput()

    def signature(self) -> dict[str, Any]:
        """What the signing services take from the form (after is_valid)."""
        data = self.cleaned_data
        return {
            "role": data["role"],
            "comment": data["comment"],
            "shown_hash": data["shown_hash"],
            "password": data["password"],
            "code": data["otp_code"],
        }


class SignForm(_SignatureFields):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("reject", "Reject (back to draft)")],
        widget=forms.RadioSelect,
        initial="approve",
    )
    field_order = ["role", "decision", "comment", "password", "otp_code", "shown_hash"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["comment"].help_text = "Required to reject: the author reads it."
        self.fields["decision"].widget.attrs["class"] = "form-check-input"


class ReviewForm(_SignatureFields):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].label = "Reviewing as"
        self.fields["comment"].help_text = "What you checked (kept with the review)."


class DocumentControlForm(PortalFormMixin, forms.ModelForm):
    class Meta:
        model = RunbookDocument
        fields = ["title", "owner", "owner_user", "classification", "review_cadence", "next_review"]
        labels = {"owner_user": "Reminded of reviews"}
        widgets = {"next_review": DATE_INPUT}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The people who hold a role (as for an action's owner), plus the one named now.
        person = self.fields["owner_user"]
        person.queryset = role_holders_and(self.instance.owner_user_id)
        person.label_from_instance = display_name
        person.empty_label = "Nobody: the SRE Lead role is reminded"
