"""Two-factor authentication (django-otp): who must have it, codes, enrolment and resets.

A person sets up an authenticator app (TOTP, `otp_totp`) and gets ten backup codes
(`otp_static`, each usable once). Sign-in then takes the password and a code; the session
carries django-otp's verified flag (`request.user.is_verified()`).

With `settings.TWO_FACTOR_REQUIRED` on, staff and everyone holding a role other than
Auditor must have it before they change anything (`core.middleware.TwoFactorRequiredMiddleware`
refuses their unsafe requests until then), and API tokens are issued only with a code
(`core.api.auth`) or to a session that passed its second factor. Every change here is an
`AccountEvent`; a secret (the TOTP key, a backup code) is never written to one.
"""

from __future__ import annotations

import base64
import operator
from dataclasses import dataclass
from functools import reduce

import segno
from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Exists
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django_otp import device_classes, devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from bcp_portal.core.account_events import account_event_record
from bcp_portal.core.models import AccountEvent
from bcp_portal.core.outbox import outbox_add
from bcp_portal.core.roles import AUDITOR, user_roles
from bcp_portal.core.typehints import Actor

BACKUP_CODE_COUNT = 10
TOTP_NAME = "Authenticator app"
BACKUP_NAME = "Backup codes"

SET_UP_FIRST = (
    "Set up two-factor authentication first: your account must confirm changes with a "
    "code from an authenticator app."
)


def two_factor_required_for(user: Actor) -> bool:
    """Whether the setting obliges this person to use two-factor before changing anything:
    staff, and anyone holding a role other than Auditor (read-only everywhere)."""
    if not (settings.TWO_FACTOR_REQUIRED and user.is_authenticated):
        return False
    return bool(user.is_staff or user.is_superuser or user_roles(user) - {AUDITOR})


def has_two_factor(user: Actor) -> bool:
    """A confirmed device (an authenticator app) is set up.

    django-otp's `user_has_device` asks each device table in turn (two queries for a
    person without a device, on every page's two-factor banner); one EXISTS per table in
    a single statement answers the same."""
    if not user.is_authenticated:
        return False
    confirmed = [
        Exists(model.objects.filter(user_id=user.pk, confirmed=True)) for model in device_classes()
    ]
    if not confirmed:
        return False
    return User.objects.filter(reduce(operator.or_, confirmed), pk=user.pk).exists()


def session_verified(user: Actor) -> bool:
    """This request's session passed its second factor (django-otp's OTPMiddleware flag)."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def must_verify_before_changes(user: Actor) -> bool:
    """A session user who may read but not change anything until two-factor is passed:
    required of them and not passed, or set up and this session never gave a code."""
    if not user.is_authenticated or session_verified(user):
        return False
    return two_factor_required_for(user) or has_two_factor(user)


@dataclass(frozen=True)
class CodeCheck:
    """What checking a code found: the device that took it, or why none did."""

    device: Device | None = None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.device is not None

    @property
    def used_backup_code(self) -> bool:
        return isinstance(self.device, StaticDevice)


WRONG_CODE = "That code is not valid (or was already used). Type the current code from your app."
NOT_SET_UP = "Two-factor authentication is not set up for this account."


def normalise_code(code: str) -> str:
    return "".join(code.split()).lower()


def _throttled(device: Device) -> str:
    allowed, details = device.verify_is_allowed()
    if allowed:
        return ""
    until = (details or {}).get("locked_until")
    wait = max(1, int((until - timezone.now()).total_seconds())) if until else 1
    return f"Too many wrong codes: wait {wait} second(s), then type the current code."


def code_check(user: User, code: str, *, device: Device | None = None) -> CodeCheck:
    """Check a one-time code: six digits against the authenticator app, anything else
    against the backup codes (a backup code works once). `device`: only that one (an
    unconfirmed app being set up). Wrong codes slow further tries (django-otp throttling)."""
    code = normalise_code(code)
    if not code:
        return CodeCheck(error="Type the code from your authenticator app, or a backup code.")
    with transaction.atomic():
        if device is not None:
            candidates: list[Device] = [
                type(device).objects.select_for_update().get(pk=device.pk, user=user)
            ]
        else:
            # App codes are six digits; backup codes are eight letters and digits.
            kind = TOTPDevice if len(code) == 6 and code.isdigit() else StaticDevice
            candidates = [d for d in devices_for_user(user, for_verify=True) if isinstance(d, kind)]
        if not candidates:
            return CodeCheck(error=NOT_SET_UP if device is None else WRONG_CODE)
        for candidate in candidates:
            if reason := _throttled(candidate):
                return CodeCheck(error=reason)
            if candidate.verify_token(code):
                return CodeCheck(device=candidate)
    return CodeCheck(error=WRONG_CODE)


# --- enrolment ----------------------------------------------------------------------------


def totp_device_pending(*, user: User) -> TOTPDevice:
    """The app being set up: an unconfirmed TOTP device, the same one until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def totp_secret(device: TOTPDevice) -> str:
    """The key as an authenticator app takes it typed in: base32, in groups of four."""
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def totp_qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URI as a QR code, an SVG `data:` URI for an <img> (no script, no
    inline style: the Content-Security-Policy allows data: images only)."""
    qr: str = segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)
    return qr


def _new_backup_codes(user: User) -> list[str]:
    """Replace the backup codes with a fresh set; the codes are shown once by the caller."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


@transaction.atomic
def two_factor_enrol(*, actor: User, device: TOTPDevice) -> list[str]:
    """Confirm the app the person proved with a code; returns their new backup codes."""
    if device.user_id != actor.pk:
        raise ValueError("A person sets up two-factor for themself only.")
    TOTPDevice.objects.filter(user=actor).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_backup_codes(actor)
    account_event_record(
        user=actor,
        kind=AccountEvent.Kind.TWO_FACTOR_ENROLLED,
        actor=actor,
        detail={"device": TOTP_NAME, "backup_codes": len(codes)},
    )
    return codes


@transaction.atomic
def backup_codes_regenerate(*, actor: User) -> list[str]:
    """New backup codes for someone with two-factor; the old ones stop working."""
    if not has_two_factor(actor):
        raise ValueError(NOT_SET_UP)
    codes = _new_backup_codes(actor)
    account_event_record(
        user=actor,
        kind=AccountEvent.Kind.BACKUP_CODES_REGENERATED,
        actor=actor,
        detail={"backup_codes": len(codes)},
    )
    return codes


def backup_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def _remove_devices(user: User) -> list[str]:
    removed = sorted({d.name for d in devices_for_user(user, confirmed=None)})
    for model in (TOTPDevice, StaticDevice):
        model.objects.filter(user=user).delete()
    return removed


@transaction.atomic
def two_factor_remove(*, actor: User) -> None:
    """The person turns their own two-factor off (after re-authenticating)."""
    removed = _remove_devices(actor)
    account_event_record(
        user=actor,
        kind=AccountEvent.Kind.TWO_FACTOR_REMOVED,
        actor=actor,
        detail={"devices": removed},
    )


@transaction.atomic
def two_factor_reset_by_staff(*, actor: User, user: User) -> None:
    """Staff remove someone's two-factor (a lost phone and no backup codes left): recorded,
    and the person is told, so a reset they did not ask for does not go unnoticed."""
    if not actor.is_staff:
        raise PermissionError("Only staff reset another person's two-factor.")
    removed = _remove_devices(user)
    event = account_event_record(
        user=user,
        kind=AccountEvent.Kind.TWO_FACTOR_RESET_BY_STAFF,
        actor=actor,
        detail={"devices": removed},
    )
    body = loader.render_to_string(
        "registration/two_factor_reset_email.txt", {"user": user, "actor": actor}
    )
    outbox_add(
        key=f"two-factor-reset:{user.pk}:{event.pk}",
        subject="Your two-factor authentication was reset",
        body=body,
        to_user=user,
        url=reverse("two-factor-setup"),
    )
