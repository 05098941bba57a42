"""How a person is named and which time zone they read times in: one place for both.

`display_name(user)`: the full name, else the username (pages, PDFs, messages, feeds).
`user_zone(user)`: the zone of the person's own profile; `default` (UTC unless told) when
they have no profile or it holds a name that is not an IANA zone. `zone_named(name)` is the
same fallback for any stored zone name. `user_date_format(user)`: the date format they chose
beside their zone (`bcp_portal.core.dates`), ISO without a profile.
"""

from __future__ import annotations

import zoneinfo
from typing import Any, overload

from bcp_portal.core.dates import date_format_named

UTC = zoneinfo.ZoneInfo("UTC")


def display_name(user: Any, default: str = "") -> str:
    """`user`'s full name, else their username; `default` for nobody."""
    if user is None:
        return default
    return user.get_full_name() or user.get_username()


@overload
def zone_named(name: str | None, default: zoneinfo.ZoneInfo = ...) -> zoneinfo.ZoneInfo: ...
@overload
def zone_named(name: str | None, default: None) -> zoneinfo.ZoneInfo | None: ...
def zone_named(
    name: str | None, default: zoneinfo.ZoneInfo | None = UTC
) -> zoneinfo.ZoneInfo | None:
    """The IANA zone `name`, or `default` when it is blank or unknown."""
    if not name:
        return default
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return default


@overload
def user_zone(user: Any, default: zoneinfo.ZoneInfo = ...) -> zoneinfo.ZoneInfo: ...
@overload
def user_zone(user: Any, default: None) -> zoneinfo.ZoneInfo | None: ...
def user_zone(user: Any, default: zoneinfo.ZoneInfo | None = UTC) -> zoneinfo.ZoneInfo | None:
    """The zone of `user`'s own profile, or `default` (UTC unless told) without one."""
    profile = getattr(user, "profile", None) if user is not None else None
    return zone_named(getattr(profile, "time_zone", None), default)


def user_date_format(user: Any) -> str:
    """The date format of `user`'s own profile (a `dates.DateFormat` value), else ISO."""
    profile = getattr(user, "profile", None) if user is not None else None
    return date_format_named(getattr(profile, "date_format", None))
