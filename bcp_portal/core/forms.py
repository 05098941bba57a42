import zoneinfo
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import IntegrityError, models
from django.forms.utils import pretty_name
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect, resolve_url

from bcp_portal.core.dates import DateFormat
from bcp_portal.core.integrity import as_validation_error
from bcp_portal.core.models import NotificationPreference, SubmissionKey, UserProfile
from bcp_portal.core.passwords import password_reset_request
from bcp_portal.core.submissions import (
    ALREADY_SAVED,
    FORM_TOKEN,
    FORM_TOKEN_FIELD,
    AlreadySubmitted,
    new_form_token,
    submit_once,
)
from bcp_portal.core.text import calendar_year, single_line

T = TypeVar("T")

# The largest id a (big) auto field holds; a larger one is never a row.
ID_MAX = 2**63 - 1


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Refuses ids that are not whole numbers from 1 to ID_MAX before any query: SQLite (the
    demo's database) raises OverflowError, a 500, on `pk__in` with a larger integer."""

    def clean(self, value: Any) -> Any:
        pk_field = self.queryset.model._meta.pk if self.queryset is not None else None
        if (
            isinstance(value, list | tuple)
            and self.to_field_name is None
            and isinstance(pk_field, models.IntegerField)
        ):
            for pk in value:
                text = str(pk)
                if not (text.isascii() and text.isdigit() and 1 <= int(text) <= ID_MAX):
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": text[:40]},
                    )
        return super().clean(value)


if TYPE_CHECKING:
    _FormBase = forms.BaseForm  # what the mixin is mixed into
else:
    _FormBase = object


def apply_validation_error(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form, field by field, keeping the input."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def is_single_line(field: forms.Field) -> bool:
    """A text field typed into a one-line box (not a text area)."""
    return isinstance(field, forms.CharField) and not isinstance(field.widget, forms.Textarea)


def apply_input_rules(form: forms.BaseForm) -> None:
    """Give every single-line text field of `form` the `single_line` validator, and every
    date and time field the `calendar_year` one.

    Each form instance has its own copies of its fields (and their validator lists), so
    this changes nothing outside `form`.
    """
    for field in form.fields.values():
        if is_single_line(field) and single_line not in field.validators:
            field.validators.append(single_line)
        dated = isinstance(field, forms.DateField | forms.DateTimeField)
        if dated and calendar_year not in field.validators:
            field.validators.append(calendar_year)


class PeoplePicker(forms.CheckboxSelectMultiple):
    """Choosing several people: ticked boxes in a scrollable list, filtered as you type.

    Works without JavaScript (plain checkboxes); `static/js/people-picker.js` adds the
    filter box's behaviour and the "N chosen" count. The field's label names the filter box,
    and the group of boxes carries the same name for screen readers.
    """

    template_name = "bcp_portal/widgets/people_picker.html"
    option_template_name = "bcp_portal/widgets/people_picker_option.html"
    # Not "checkbox": includes/field.html lays a "checkbox" out as one lone box (the
    # option template writes type="checkbox" itself).
    input_type = "people-picker"
    group_label = ""

    class Media:
        js = ["js/people-picker.js"]

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        if index is None and id_:
            return f"{id_}_filter"  # the field's <label> names the filter box
        return super().id_for_label(id_, index)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget_id = context["widget"]["attrs"].get("id") or f"id_{name}"
        context["widget"]["picker_id"] = widget_id
        context["widget"]["group_label"] = self.group_label or name.replace("_", " ")
        context["widget"]["chosen"] = sum(
            1
            for group in context["widget"]["optgroups"]
            for option in group[1]
            if option["selected"]
        )
        return context


class PortalFormMixin(_FormBase):
    """Bootstrap classes and error state on every widget, so templates stay plain; no line
    break in a single-line text field, no date outside the portal's years
    (`apply_input_rules`); and on a create form, a one-time token
    (`bcp_portal.core.submissions`).

    `one_time`: whether the form carries the token. None (the default) means every
    ModelForm with no saved instance yet, that is every create form; a form that adds rows
    otherwise (the report editor, "open a revision") sets True. `submit_form` sends a
    repeat of the same token to the first submission's result. The token is taken out of
    `cleaned_data` (services never see it) and kept in `submission_token`; a post without
    one (a script, an older page) is processed as before.
    """

    one_time: bool | None = None
    submission_token: str = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        apply_input_rules(self)
        if self._carries_token():
            self.fields[FORM_TOKEN_FIELD] = forms.CharField(
                required=False,
                widget=forms.HiddenInput,
                initial=new_form_token,
                validators=[
                    RegexValidator(
                        FORM_TOKEN,
                        "This page's one-time token is damaged: reload the page and send the "
                        "form again.",
                    )
                ],
            )
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, PeoplePicker):
                widget.group_label = str(field.label or pretty_name(name))
                css = "form-check-input"
            elif isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()

    def _carries_token(self) -> bool:
        if self.one_time is not None:
            return self.one_time
        instance = getattr(self, "instance", None)
        return (
            isinstance(self, forms.BaseModelForm) and instance is not None and instance.pk is None
        )

    def full_clean(self) -> None:
        super().full_clean()
        if FORM_TOKEN_FIELD in self.fields and self.is_bound:
            self.submission_token = self.cleaned_data.pop(FORM_TOKEN_FIELD, "") or ""
            token_errors = self.errors.pop(FORM_TOKEN_FIELD, None)
            if token_errors:
                # A hidden field has no place to show an error: above the form.
                self.add_error(None, token_errors)
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"
                widget.attrs["aria-invalid"] = "true"


class OutboxPasswordResetForm(PasswordResetForm):
    """Password reset whose mail goes through the outbox, so it is retried, never lost; the
    link is made when the mail is sent (`core.passwords`), so no stored row holds it."""

    def save(self, *args: Any, **kwargs: Any) -> None:  # the view's mail options are unused
        for user in self.get_users(self.cleaned_data["email"]):
            password_reset_request(user=user)


class ZoneInput(forms.TextInput):
    """A text box that suggests every IANA zone as you type (an HTML datalist)."""

    template_name = "bcp_portal/widgets/zone_input.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, {**(attrs or {}), "list": "time-zones"})
        context["zones"] = sorted(zoneinfo.available_timezones())
        return context


class ProfileForm(PortalFormMixin, forms.ModelForm):
    class Meta:
        model = UserProfile
        fields = ["time_zone", "date_format", "phone", "chat_handle", "notify_channels"]
        widgets = {"time_zone": ZoneInput}
        help_texts = {"time_zone": "Start typing a city, e.g. Paris or New_York, and pick a zone."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Left out of a post (an older form, a script): the person's format stays as it was.
        self.fields["date_format"].required = False
        self.fields["notify_channels"].required = False

    def clean_notify_channels(self) -> str:
        # Left out of a post, as the date format: the person's choice stays as it was.
        value: str = self.cleaned_data.get("notify_channels") or ""
        return value or self.instance.notify_channels or NotificationPreference.EMAIL

    def clean_date_format(self) -> str:
        value: str = self.cleaned_data.get("date_format") or ""
        return value or self.instance.date_format or DateFormat.ISO


def submit_form(
    request: HttpRequest,
    form: forms.BaseForm,
    save: Callable[[dict[str, Any]], Any],
    *,
    success: Callable[[Any], str],
    redirect_to: str | Callable[[Any], str] | None = None,
) -> HttpResponseRedirect | None:
    """The create/edit pattern of every page, in one place.

    On a valid POST, `save(cleaned_data)` (a service call) runs; a ValidationError it raises
    is shown on the form, field by field, with everything typed kept, and so is a write the
    database refused (an IntegrityError: two requests at once); otherwise the user is sent
    to `redirect_to` (a URL, a URL name, or a function of the saved object; default: the
    saved object) with `success(obj)` as the message. A form with a one-time token
    (`PortalFormMixin`) saves once per token: a repeat, even one racing the first, is sent
    to the first's result with ALREADY_SAVED. Returns None when the page should be rendered
    (GET, invalid input, refused by the service).
    """
    if request.method != "POST":
        return None
    earlier = earlier_submission(request, form)
    if earlier is not None:
        # Before validating: the first may have made this one invalid (a name now taken).
        return already_saved(request, earlier)
    if not form.is_valid():
        return None

    def target(obj: Any) -> str:
        where = redirect_to(obj) if callable(redirect_to) else (redirect_to or obj)
        return resolve_url(where)

    try:
        obj = save_once(request, form, lambda: save(form.cleaned_data), result_url=target)
    except AlreadySubmitted as repeat:
        return already_saved(request, repeat)
    except ValidationError as exc:
        apply_validation_error(form, exc)
        return None
    except IntegrityError as exc:
        apply_validation_error(form, as_validation_error(exc))
        return None
    messages.success(request, success(obj))
    return redirect(target(obj))


def save_once(
    request: HttpRequest,
    form: forms.BaseForm,
    work: Callable[[], T],
    *,
    result_url: Callable[[T], str],
) -> T:
    """Run `work` once per the form's one-time token (`submissions.submit_once`), or simply
    run it when the post carried none; raises AlreadySubmitted for a repeat."""
    token = getattr(form, "submission_token", "")
    if not token or not request.user.is_authenticated:
        return work()
    return submit_once(
        user=request.user,
        key=f"form:{token}",
        work=work,
        remember=lambda result: {"result_url": result_url(result)},
    )


def earlier_submission(request: HttpRequest, form: forms.BaseForm) -> AlreadySubmitted | None:
    """The form's token was used by a submission that committed already, or None.

    (A repeat racing the first is caught by `save_once` instead, which waits for it.)"""
    token = form.data.get(FORM_TOKEN_FIELD) if FORM_TOKEN_FIELD in form.fields else None
    if not isinstance(token, str) or not FORM_TOKEN.fullmatch(token):
        return None
    if not request.user.is_authenticated:
        return None
    record = SubmissionKey.objects.filter(user=request.user, key=f"form:{token}").first()
    return AlreadySubmitted(record) if record is not None else None


def already_saved(request: HttpRequest, repeat: AlreadySubmitted) -> HttpResponseRedirect:
    """A repeated form: to the first submission's result, saying so."""
    messages.info(request, ALREADY_SAVED)
    return redirect(repeat.record.result_url or request.path)
