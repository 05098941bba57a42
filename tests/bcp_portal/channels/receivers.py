"""Loopback HTTP receivers that speak Slack's incoming webhooks and PagerDuty Events v2.

Real servers (http.server in a thread on 127.0.0.1): they record every request and answer
with the status the test sets, so the channels are tested over real HTTP, not with mocks.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    host: str
    port: int
    # What the next requests get: (status, body). Slack answers 200 "ok", PagerDuty 202.
    status: int = 200
    answer: bytes = b"ok"
    redirect_to: str = ""
    received: list[Received] = field(default_factory=list)

    def url(self, path: str = "/hook") -> str:
        return f"http://{self.host}:{self.port}{path}"


def _serve(receiver: Receiver) -> Iterator[Receiver]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # http.server's hook
            length = int(self.headers.get("Content-Length") or 0)
            receiver.received.append(
                Received(self.path, dict(self.headers.items()), self.rfile.read(length))
            )
            self.send_response(receiver.status)
            if receiver.redirect_to:
                self.send_header("Location", receiver.redirect_to)
            self.send_header("Content-Length", str(len(receiver.answer)))
            self.end_headers()
            self.wfile.write(receiver.answer)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.port = server.server_address[1]
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def slack() -> Iterator[Receiver]:
    yield from _serve(Receiver("127.0.0.1", 0))


@pytest.fixture
def pagerduty() -> Iterator[Receiver]:
    yield from _serve(Receiver("127.0.0.1", 0, status=202, answer=b'{"status":"success"}'))
