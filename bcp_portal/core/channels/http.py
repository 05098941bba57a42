"""One bounded POST to a notification target, to the address `netguard` checked.

The host is resolved and every address checked at each send, then the connection goes to
that address (TLS still verifies the certificate for the name, and the Host header names
it), so a second lookup cannot swap in another address. Short connect and read timeouts,
no redirect followed, no retry here (the outbox retries with backoff), and the answer read
up to `NOTIFY_RESPONSE_MAX_BYTES` only.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3

from bcp_portal.core import limits
from bcp_portal.core.channels import ChannelError
from bcp_portal.core.channels.netguard import check_url, resolve_checked


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes


def post_json(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    scheme, host, port = check_url(url, resolve=False)
    try:
        ip = resolve_checked(host, port)[0]
    except OSError as exc:  # the name does not resolve (socket.gaierror)
        raise ChannelError(f"Cannot resolve {host}: {exc}") from exc
    timeout = urllib3.Timeout(
        connect=limits.NOTIFY_CONNECT_TIMEOUT, read=limits.NOTIFY_READ_TIMEOUT
    )
    pool: urllib3.HTTPConnectionPool
    if scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            str(ip),
            port,
            timeout=timeout,
            retries=False,
            cert_reqs="CERT_REQUIRED",
            server_hostname=host,
            assert_hostname=host,
        )
    else:
        pool = urllib3.HTTPConnectionPool(str(ip), port, timeout=timeout, retries=False)
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    host_header = host if port == (443 if scheme == "https" else 80) else f"{host}:{port}"
    if ":" in host and not host.startswith("["):
        host_header = f"[{host}]" if host_header == host else f"[{host}]:{port}"
    try:
        response = pool.urlopen(
            "POST",
            path,
            body=body,
            headers={**headers, "Host": host_header, "Content-Type": "application/json"},
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            data = response.read(limits.NOTIFY_RESPONSE_MAX_BYTES, decode_content=False)
        finally:
            response.release_conn()
    except urllib3.exceptions.HTTPError as exc:
        raise ChannelError(f"{type(exc).__name__}: {exc}") from exc
    finally:
        pool.close()
    return Answer(status=response.status, body=data)


def excerpt(answer: Answer, length: int = 200) -> str:
    """The start of an answer, for the delivery attempt's error (never the whole of it)."""
    return answer.body[:length].decode("utf-8", "replace").strip()
