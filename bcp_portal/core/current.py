"""The request being answered, for code that has none at hand (a model signal).

`CurrentRequestMiddleware` (after authentication) makes the running request available to
`current_request()` for as long as it is answered; outside a request (a task, a command,
a shell) there is none. Only what runs inside the request can ask, and only for as long
as it runs: the value is a context variable, reset when the response is made.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "bcp_current_request", default=None
)


def current_request() -> HttpRequest | None:
    return _request.get()


class CurrentRequestMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)
