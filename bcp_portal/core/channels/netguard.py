"""Where the portal may send: http(s) only, never a link-local or cloud-metadata address.

A target's URL is checked when it is saved and again at every send, after resolving its
host: a name that once resolved to a public address could be pointed at the metadata service
later, so the send connects to the very address it checked (`resolve_checked`), not to a
second lookup. Loopback and private networks stay allowed (a receiver on the same host or
network; the tests' receivers listen on 127.0.0.1).
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from urllib.parse import urlsplit

# The instance metadata services of the clouds, by address (the IPv4 ones are link-local
# and refused as such too) and by name.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean
        "169.254.170.2",  # AWS ECS task metadata
        "fd00:ec2::254",  # AWS IPv6
        "100.100.100.200",  # Alibaba Cloud
        "192.0.0.192",  # Oracle Cloud (classic)
    )
)
METADATA_NAMES = frozenset(
    {
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "metadata.azure.internal",
        "instance-data",
        "instance-data.ec2.internal",
    }
)
SCHEMES = {"http": 80, "https": 443}

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeAddress(ValueError):
    """The URL names somewhere the portal must not send to."""


def check_url(url: str, *, resolve: bool = True) -> tuple[str, str, int]:
    """(scheme, host, port) of a URL the portal may send to, else UnsafeAddress.

    With `resolve`, a host name that resolves now is checked address by address; one that
    does not resolve is accepted here (it is resolved and checked again at every send).
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise UnsafeAddress(f"Not a valid URL: {exc}.") from exc
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise UnsafeAddress("Only http and https addresses are allowed.")
    if parts.username or parts.password:
        raise UnsafeAddress("Put credentials in the secret, not in the address.")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise UnsafeAddress("The address has no host.")
    if host in METADATA_NAMES or host.endswith(".metadata.google.internal"):
        raise UnsafeAddress(f"{host} is a cloud metadata service.")
    port = port or SCHEMES[scheme]
    literal = _ip_or_none(host)
    if literal is not None:
        check_ip(literal)
    elif resolve:
        # Not resolvable from here now: it is resolved and checked again at every send.
        with contextlib.suppress(socket.gaierror):
            resolve_checked(host, port)
    return scheme, host, port


def check_ip(ip: IPAddress) -> None:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip in METADATA_ADDRESSES:
        raise UnsafeAddress(f"{ip} is a cloud metadata address.")
    if ip.is_link_local:
        raise UnsafeAddress(f"{ip} is a link-local address.")
    if ip.is_unspecified or ip.is_multicast:
        raise UnsafeAddress(f"{ip} is not a host one can send to.")


def resolve_checked(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to, each checked; UnsafeAddress if any is refused.

    One refused address refuses the name: a resolver may answer in any order.
    Raises socket.gaierror when the name does not resolve.
    """
    literal = _ip_or_none(host)
    if literal is not None:
        check_ip(literal)
        return [literal]
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))
    for ip in addresses:
        try:
            check_ip(ip)
        except UnsafeAddress as exc:
            raise UnsafeAddress(f"{host} resolves to {exc}") from exc
    return addresses


def _ip_or_none(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
