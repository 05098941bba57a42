import zoneinfo
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.forms.utils import pretty_name
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.template import loader
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from bcp_portal.core.dates import DateFormat
from bcp_portal.core.models import UserProfile
from bcp_portal.core.outbox import outbox_add
from bcp_portal.core.text import calendar_year, single_line

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
    """Bootstrap classes and error state on every widget, so templates stay plain; and no
    line break in a single-line text field, no date outside the portal's years
    (`apply_input_rules`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        apply_input_rules(self)
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, PeoplePicker):
                widget.group_label = str(field.label or pretty_name(name))
                css = "form-check-input"
            elif isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"
                widget.attrs["aria-invalid"] = "true"


class OutboxPasswordResetForm(PasswordResetForm):
    """Password reset whose mail goes through the outbox, so it is retried, never lost."""

    def save(self, *args: Any, **kwargs: Any) -> None:  # the view's mail options are unused
        email = self.cleaned_data["email"]
        for user in self.get_users(email):
            uid = urlsafe_base64_encode(force_bytes(user.pk))
            token = default_token_generator.make_token(user)
            path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
            body = loader.render_to_string("registration/password_reset_email.txt", {"user": user})
            outbox_add(
                key=f"password-reset:{user.pk}:{token}",
                subject="Reset your BCP Portal password",
                body=body,
                to_user=user,
                url=path,
            )


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
        fields = ["time_zone", "date_format", "phone", "chat_handle"]
        widgets = {"time_zone": ZoneInput}
        help_texts = {"time_zone": "Start typing a city, e.g. Paris or New_York, and pick a zone."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Left out of a post (an older form, a script): the person's format stays as it was.
        self.fields["date_format"].required = False

    def clean_date_format(self) -> str:
        value: str = self.cleaned_data.get("date_format") or ""
        return value or self.instance.date_format or DateFormat.ISO


def submit_form(
    request: HttpRequest,
    form: forms.BaseForm,
    save: Callable[[dict[str, Any]], Any],
    *,
    success: Callable[[Any], str],
    redirect_to: str | None = None,
) -> HttpResponseRedirect | None:
    """The create/edit pattern of every page, in one place.

    On a valid POST, `save(cleaned_data)` (a service call) runs; a ValidationError it raises
    is shown on the form, field by field, with everything typed kept; otherwise the user is
    sent to `redirect_to` (default: the saved object) with `success(obj)` as the message.
    Returns None when the page
    should be rendered (GET, invalid input, refused by the service).
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        obj = save(form.cleaned_data)
    except ValidationError as exc:
        apply_validation_error(form, exc)
        return None
    messages.success(request, success(obj))
    return redirect(redirect_to or obj)
