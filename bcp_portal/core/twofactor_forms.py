"""Forms of the two-factor pages, the sign-in code step and the re-authenticated changes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AdminPasswordChangeForm, PasswordChangeForm

from bcp_portal.core.forms import PortalFormMixin
from bcp_portal.core.reauth import ReauthFormMixin, code_field


class LoginCodeForm(PortalFormMixin, forms.Form):
    """The second step of signing in: a code (checked by the view, which knows the user)."""

    otp_code = code_field("Code")


class TwoFactorSetupForm(PortalFormMixin, ReauthFormMixin, forms.Form):
    """Setting up an app: the password, and a code from the new app to prove it works."""

    reauth_purpose = "two_factor_setup"


class BackupCodesForm(PortalFormMixin, ReauthFormMixin, forms.Form):
    reauth_purpose = "backup_codes_regenerate"


class TwoFactorRemoveForm(PortalFormMixin, ReauthFormMixin, forms.Form):
    reauth_purpose = "two_factor_remove"


class ReauthPasswordChangeForm(PortalFormMixin, ReauthFormMixin, PasswordChangeForm):
    """Changing one's password: the old password and (when needed) a fresh code."""

    reauth_purpose = "password_change"
    reauth_password_field = "old_password"

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(user, *args, reauth_user=user, **kwargs)

    def clean_old_password(self) -> str:
        # Checked (and a failure recorded) by the re-authentication in clean().
        return str(self.cleaned_data.get("old_password", ""))


class StaffPasswordChangeForm(ReauthFormMixin, AdminPasswordChangeForm):
    """The admin's "set password" for another user: the staff member confirms first."""

    reauth_purpose = "staff_password_set"

    def __init__(self, user: Any, *args: Any, staff: Any, **kwargs: Any) -> None:
        super().__init__(
            user,
            *args,
            reauth_user=staff,
            reauth_detail={"target": user.get_username()},
            **kwargs,
        )
        self.fields["password"].label = "Your own password"
        self.fields["password"].help_text = "You confirm it is you before changing someone else's."


class StaffTwoFactorResetForm(ReauthFormMixin, forms.Form):
    """Staff removing someone's two-factor: the staff member's password and code."""

    reauth_purpose = "staff_two_factor_reset"
