"""System checks for the invariants settings alone cannot enforce (ids are stable)."""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import Error, Tags, register

WEAK_KEY_MIN_LENGTH = 50
WEAK_KEY_MIN_UNIQUE = 5


@register(Tags.security, deploy=False)
def check_secret_key(app_configs: Sequence[AppConfig] | None = None, **kwargs: Any) -> list[Error]:
    if settings.DEBUG:
        return []
    key = settings.SECRET_KEY or ""
    if key == getattr(settings, "INSECURE_DEV_SECRET_KEY", None) or not key:
        return [
            Error(
                "SECRET_KEY is missing or is the development default while DEBUG is off.",
                hint="Set SECRET_KEY to a random value of 50 or more characters.",
                id="bcp_portal.E001",
            )
        ]
    if (
        len(key) < WEAK_KEY_MIN_LENGTH
        or len(set(key)) < WEAK_KEY_MIN_UNIQUE
        or key.startswith("django-insecure-")
    ):
        return [
            Error(
                "SECRET_KEY is weak: shorter than 50 characters, too few distinct characters, "
                "or a 'django-insecure-' key.",
                hint="Generate one: python -c 'import secrets; print(secrets.token_urlsafe(64))'",
                id="bcp_portal.E002",
            )
        ]
    return []


@register(Tags.database)
def check_utc_storage(app_configs: Sequence[AppConfig] | None = None, **kwargs: Any) -> list[Error]:
    if not settings.USE_TZ:
        return [
            Error(
                "USE_TZ is off: timestamps must be stored in UTC.",
                hint="Leave USE_TZ = True; set TIME_ZONE only for display defaults.",
                id="bcp_portal.E003",
            )
        ]
    return []
