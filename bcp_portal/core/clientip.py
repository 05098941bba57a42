"""The client's address: the one answer for sign-in lockout and anything else that asks.

Behind reverse proxies the peer (`REMOTE_ADDR`) is the nearest proxy, and the client's
address is in `X-Forwarded-For`, which each proxy extends with the address it received the
request from. Only the entries the trusted proxies appended can be believed: anything to
their left was written by the client and may be forged. So with `TRUSTED_PROXY_COUNT = n`
the client is the n-th entry from the right; with 0 (the default) the header is ignored
and the peer is the client.

A header with fewer entries than trusted proxies, or whose entry is not an IP address, did
not come through the proxies as configured: the peer's address is used instead.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The address the request came from, as far as the configured proxies vouch for it."""
    peer: str = request.META.get("REMOTE_ADDR", "") or ""
    trusted = max(int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0), 0)
    if trusted == 0:
        return peer
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    if len(hops) < trusted:
        return peer
    candidate = hops[-trusted].strip()
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return peer
