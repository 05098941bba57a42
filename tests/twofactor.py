"""Two-factor helpers for tests: give a user an authenticator app, compute its codes, and
sign a test client in the way the code step does (session marked verified by django-otp)."""

from __future__ import annotations

import time

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice


def give_two_factor(user, *, backup_codes: tuple[str, ...] = ()) -> TOTPDevice:
    """The user's confirmed authenticator app (made once), plus these backup codes."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    if backup_codes:
        static, _ = StaticDevice.objects.get_or_create(
            user=user, name="Backup codes", defaults={"confirmed": True}
        )
        for code in backup_codes:
            StaticToken.objects.create(device=static, token=code)
    return device


def totp_code(device: TOTPDevice, *, at: float | None = None) -> str:
    """The code the person's app shows at `at` (default: now), computed as an app does."""
    generator = TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    generator.time = time.time() if at is None else at
    return f"{generator.token():0{device.digits}d}"


def sign_in_verified(client: Client, user) -> TOTPDevice:
    """Sign `client` in as `user` with a session that passed two-factor."""
    device = give_two_factor(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device
