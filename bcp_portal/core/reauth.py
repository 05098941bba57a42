"""Re-authentication: the password and a fresh one-time code before a sensitive change.

One piece for every such change: changing one's password, setting up or removing
two-factor, new backup codes, creating or revoking an API token, staff resetting someone
else's password or two-factor, and every signature (the approval pages add
`ReauthFormMixin` to their form, or call `reauth_check` from a service-facing form).

The code is required whenever the person has two-factor set up or the portal requires it
(`TWO_FACTOR_REQUIRED`); a person without a device may confirm with the password alone only
while the setting is off. It applies with DEBUG on too. A code is "fresh" because
django-otp never accepts the same app code twice (nor a backup code twice), so the code
typed at sign-in does not confirm anything afterwards.

Every failure is an `AccountEvent` (REAUTH_FAILED, with what failed and for what, never
what was typed); after `AXES_FAILURE_LIMIT` of them within `AXES_COOLOFF_TIME`, confirming
is paused for that person, so a borrowed session cannot guess the password here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_otp.models import Device

from bcp_portal.core.account_events import account_event_record
from bcp_portal.core.models import AccountEvent
from bcp_portal.core.twofactor import SET_UP_FIRST, CodeCheck, code_check, has_two_factor

if TYPE_CHECKING:
    _FormBase = forms.BaseForm
else:
    _FormBase = object

WRONG_PASSWORD = "That is not your password."
PASSWORD_FIELD = "password"
CODE_FIELD = "otp_code"


def reauth_code_required(user: User) -> bool:
    """Whether confirming needs a code as well as the password."""
    return bool(settings.TWO_FACTOR_REQUIRED) or has_two_factor(user)


def _paused(user: User) -> str:
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    recent = AccountEvent.objects.filter(
        user=user, kind=AccountEvent.Kind.REAUTH_FAILED, at__gte=since
    ).count()
    if recent < settings.AXES_FAILURE_LIMIT:
        return ""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return (
        f"Too many failed confirmations: confirming is paused for up to {minutes} minutes. "
        "Try again later."
    )


def _record_failure(user: User, purpose: str, what: str, detail: dict[str, Any]) -> None:
    account_event_record(
        user=user,
        kind=AccountEvent.Kind.REAUTH_FAILED,
        actor=user,
        detail={"purpose": purpose, "failed": what, **detail},
    )


def reauth_check(
    user: User,
    password: str,
    code: str | None,
    *,
    purpose: str,
    device: Device | None = None,
    detail: dict[str, Any] | None = None,
) -> CodeCheck | None:
    """Raise ValidationError (keyed "password" or "otp_code", or on the whole form) unless
    `password` is the user's and, when one is needed, `code` is a fresh one-time code.

    `device`: check the code against that device only (an app being set up, not yet
    confirmed). `purpose` and `detail` go into the REAUTH_FAILED event. Returns what the code
    check found (which device took it), or None when no code was needed.
    """
    if reason := _paused(user):
        raise ValidationError(reason)
    need_code = device is not None or reauth_code_required(user)
    if need_code and device is None and not has_two_factor(user):
        raise ValidationError(SET_UP_FIRST)
    # The password first: a wrong one must not use up a backup code.
    if not user.check_password(password or ""):
        _record_failure(user, purpose, "password", detail or {})
        raise ValidationError({PASSWORD_FIELD: WRONG_PASSWORD})
    if not need_code:
        return None
    check = code_check(user, code or "", device=device)
    if not check.ok:
        _record_failure(user, purpose, "code", detail or {})
        raise ValidationError({CODE_FIELD: check.error})
    return check


class OneTimeCodeInput(forms.TextInput):
    """A code box that never shows a code back: each code is good once."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        defaults = {
            "autocomplete": "one-time-code",
            "autocapitalize": "off",
            "spellcheck": "false",
            "size": "10",
        }
        super().__init__({**defaults, **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        return None


def code_field(label: str = "Code") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=20,
        widget=OneTimeCodeInput(),
        help_text="The six digits your authenticator app shows now, or one of your backup codes.",
    )


class ReauthFormMixin(_FormBase):
    """Adds "Your password" and (when needed) "Code" to a form, and checks them in
    `clean()` once the rest of the form is valid (so a typo elsewhere burns no code).

    Construct with `reauth_user=` (who confirms) and optionally `reauth_device=` (an app
    being set up). A failure is shown on the password or code field; everything else typed
    is kept, the password and code are not shown again. `reauth_purpose` names the change
    in the REAUTH_FAILED event; `reauth_password_field` reuses a form's own password field
    (a password change form's "old password").
    """

    reauth_purpose = "confirm"
    reauth_password_field = PASSWORD_FIELD

    def __init__(
        self,
        *args: Any,
        reauth_user: User,
        reauth_device: Device | None = None,
        reauth_detail: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.reauth_user = reauth_user
        self.reauth_device = reauth_device
        self.reauth_detail = reauth_detail or {}
        self.reauth_result: CodeCheck | None = None
        if self.reauth_password_field not in self.fields:
            self.fields[self.reauth_password_field] = forms.CharField(
                label="Your password",
                strip=False,
                widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
            )
        self.reauth_needs_code = reauth_device is not None or reauth_code_required(reauth_user)
        # Nothing can confirm this change until the person sets up two-factor.
        self.reauth_blocked = (
            SET_UP_FIRST
            if self.reauth_needs_code and reauth_device is None and not has_two_factor(reauth_user)
            else ""
        )
        if self.reauth_needs_code:
            field = code_field("Code")
            if reauth_device is not None:
                field.label = "Code from the app you are setting up"
                field.help_text = "The six digits the new app shows now."
            self.fields[CODE_FIELD] = field

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        data = self.cleaned_data
        try:
            self.reauth_result = reauth_check(
                self.reauth_user,
                data.get(self.reauth_password_field, ""),
                data.get(CODE_FIELD),
                purpose=self.reauth_purpose,
                device=self.reauth_device,
                detail=self.reauth_detail,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for key, errors in exc.error_dict.items():
                    field = self.reauth_password_field if key == PASSWORD_FIELD else key
                    self.add_error(field, errors)
            else:
                self.add_error(None, exc)
        return cleaned
