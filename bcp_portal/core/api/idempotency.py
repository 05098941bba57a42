"""`Idempotency-Key`: an API create sent again (a retry after a timeout) is made once.

A client may send `Idempotency-Key: <8 to 128 printable ASCII characters>` with a POST that
creates something (actions, drills, drill reports, services). The first request with a key
runs and its answer (status and body) is stored with the key, in the same transaction as
the write (`core.submissions.submit_once`, the table the one-time form tokens use). Any
later request of the same user with that key gets the stored answer again, with
`Idempotent-Replayed: true`, and writes nothing; one that arrives while the first is still
running waits for it. A refused request (4xx) stores nothing, so it can be corrected and
sent again under the same key. The same key with a different request (method, path or body)
is refused with 400, as it most likely is a client's mistake. Keys are kept for a week.
Without the header, a create behaves as before.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from bcp_portal.core.api.errors import error_response
from bcp_portal.core.submissions import AlreadySubmitted, submit_once

HEADER = "Idempotency-Key"
KEY = re.compile(r"[\x21-\x7e]{8,128}")
PARAMETER = OpenApiParameter(
    name=HEADER,
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description="Optional: 8 to 128 printable ASCII characters, new for each thing you "
    "create. Sent again with the same request, the call creates nothing more and answers "
    "what the first answered (header `Idempotent-Replayed: true`). The same key with "
    "another request answers 400. Kept for 7 days.",
)

Create = Callable[..., Response]


class _Refused(Exception):
    """A first request answered 4xx/5xx without raising: roll its key back with it."""

    def __init__(self, response: Response) -> None:
        self.response = response


def idempotent(create: Create) -> Create:
    """Wrap a viewset's `create` so that it honours `Idempotency-Key` (documented)."""

    @functools.wraps(create)
    def wrapped(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER)
        user = request.user
        if key is None or not user.is_authenticated:  # (the view's permissions refuse anonymous)
            return create(view, request, *args, **kwargs)
        if not KEY.fullmatch(key):
            return _invalid("Give 8 to 128 printable ASCII characters, without spaces.")
        digest = hashlib.sha256(
            f"{request.method} {request.path}\n".encode() + request._request.body
        ).hexdigest()

        def first() -> Response:
            response = create(view, request, *args, **kwargs)
            if response.status_code >= 400:
                raise _Refused(response)
            return response

        try:
            return submit_once(
                user=user,
                key=f"api:{key}",
                work=first,
                remember=_stored_answer,
                request_digest=digest,
            )
        except _Refused as refused:
            return refused.response
        except AlreadySubmitted as repeat:
            record = repeat.record
            if record.request_digest != digest:
                return _invalid(
                    "This key was used for a different request: use a new key for each "
                    "thing you create."
                )
            return Response(
                record.response_body,
                status=record.response_status,
                headers={"Idempotent-Replayed": "true"},
            )

    return extend_schema(parameters=[PARAMETER])(wrapped)


def _stored_answer(response: Response) -> dict[str, Any]:
    # Rendered as the client saw it (dates, decimals), then kept as JSON.
    body = json.loads(JSONRenderer().render(response.data)) if response.data is not None else None
    return {"response_status": response.status_code, "response_body": body}


def _invalid(message: str) -> Response:
    response = error_response("validation_error", f"{HEADER}: {message}")
    response.data["error"]["fields"] = {HEADER: [message]}
    return response
