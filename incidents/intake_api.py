"""The alert intake endpoints: POST /api/intake/alertmanager and /api/intake/generic.

Monitors are not people: a request is authenticated by its source's token alone
(`Authorization: Bearer <token>`), never by a session, so there is no CSRF check (no cookie
is trusted) and no two-factor (the view names are in the two-factor middleware's exemptions;
a token is made only by an SRE Lead whose session passed it). Answers use the API's error
shape. A plain view rather than DRF: the path is lean (the bench measures it), and it is not
in the OpenAPI schema of /api/v1/ (docs/alert-intake.md documents both shapes).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from bcp_portal.core import limits
from bcp_portal.core.api.errors import error_json, invalid_fields_message
from bcp_portal.core.api.parsers import json_depth
from incidents.intake_payloads import Batch, PayloadError, alertmanager_batch, generic_batch
from incidents.models import IntakeSource
from incidents.services.intake import (
    INTAKE_USERNAME,
    intake_receive,
    intake_repeat,
    intake_source_for_token,
)

Reader = Callable[..., Batch]
BAD_TOKEN = "The token is unknown or has been revoked."
logger = logging.getLogger(__name__)


def _unauthorized(message: str) -> HttpResponse:
    response = error_json("not_authenticated", message, 401)
    response["WWW-Authenticate"] = 'Bearer realm="alert intake"'
    return response


def bearer_token(request: HttpRequest) -> str | HttpResponse:
    """The token the request carries, or the 401 to answer when it carries none."""
    parts = request.headers.get("Authorization", "").split()
    if not parts:
        return _unauthorized("Send the source's token: Authorization: Bearer <token>.")
    if len(parts) != 2 or parts[0].lower() != "bearer":
        return _unauthorized("Send one token after the keyword Bearer, with no spaces.")
    return parts[1]


def source_for(token: str) -> IntakeSource | HttpResponse:
    """The live source whose token this is, or the 401 to answer."""
    source = intake_source_for_token(IntakeSource.hash(token))
    if source is None or not source.is_live:
        return _unauthorized(BAD_TOKEN)
    return source


def _invalid(fields: dict[str, list[str]], status: int = 400) -> HttpResponse:
    return error_json("validation_error", invalid_fields_message(fields), status, fields=fields)


def _refused(source: IntakeSource, fields: dict[str, list[str]], status: int) -> HttpResponse:
    # Alertmanager does not retry a 4xx and keeps no copy: the log is where a refused
    # notification can still be seen (field paths and short excerpts, no whole payload).
    logger.warning("Alert intake refused a payload of source %s: %s", source.pk, fields)
    return _invalid(fields, status)


def _too_deep(text: str) -> bool:
    """Objects and arrays nest deeper than the API's limit. Each level opens a bracket, so a
    text with no more brackets than the limit (any ordinary notification) needs no scan."""
    if text.count("{") + text.count("[") <= limits.JSON_MAX_DEPTH:
        return False
    return json_depth(text) > limits.JSON_MAX_DEPTH


def _body(request: HttpRequest) -> object | HttpResponse:
    """The JSON document of the body, or the 413/415/400 to answer."""
    if request.content_type != "application/json":
        return error_json(
            "unsupported_media_type", "Send the payload as Content-Type: application/json.", 415
        )
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    too_large = error_json(
        "request_too_large",
        f"The payload is larger than the intake's limit of {limits.INTAKE_BODY_MAX_BYTES:,} bytes.",
        413,
    )
    if declared > limits.INTAKE_BODY_MAX_BYTES:
        return too_large
    raw = request.read(limits.INTAKE_BODY_MAX_BYTES + 1)
    if len(raw) > limits.INTAKE_BODY_MAX_BYTES:
        return too_large
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return error_json("parse_error", "The body is not UTF-8 text.", 400)
    if _too_deep(text):
        return error_json(
            "parse_error",
            f"Objects and arrays nest deeper than the limit of {limits.JSON_MAX_DEPTH} levels.",
            400,
        )
    try:
        return json.loads(text)
    except ValueError as exc:
        return error_json(
            "parse_error", f"The body is not JSON: {exc.args[0] if exc.args else exc}.", 400
        )


def _read(read: Reader, data: object, now: datetime) -> Batch | PayloadError:
    try:
        return read(data, now=now)
    except PayloadError as exc:
        return exc


def _receive(request: HttpRequest, kind: str, read: Reader) -> HttpResponse:
    """The answers, in this order: 401 (no token, or not a live source's), 403 (the other
    kind's endpoint), the body's and the payload's refusals, then what intake did.

    The payload is read before the source so that a notification sent again (most of what
    a monitor sends: Alertmanager repeats a firing group's every few minutes) is answered by
    one read, `intake_repeat`, which finds the alerts through the token's source and so
    proves the token too; whatever that read cannot answer goes the long way, in the order
    above, and the payload's problems are answered only once the token is good."""
    token = bearer_token(request)
    if isinstance(token, HttpResponse):
        return token
    now: datetime = timezone.now()
    data = _body(request)
    batch = data if isinstance(data, HttpResponse) else _read(read, data, now)
    if isinstance(batch, Batch):
        repeat = intake_repeat(token_hash=IntakeSource.hash(token), kind=kind, batch=batch)
        if repeat is not None:
            return JsonResponse(repeat.as_json(), status=200)
    source = source_for(token)
    if isinstance(source, HttpResponse):
        return source
    if source.kind != kind:
        return error_json(
            "wrong_source_kind",
            f"This token belongs to a {source.get_kind_display()} source; send its payloads "
            f"to /api/intake/{source.kind}.",
            403,
        )
    if isinstance(batch, HttpResponse):
        return batch
    if isinstance(batch, PayloadError):
        return _refused(source, batch.fields, batch.status)
    try:
        result = intake_receive(source=source, batch=batch, now=now)
    except ValidationError as exc:
        fields = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        return _refused(source, fields, 400)
    except PermissionDenied:
        # The intake account was deactivated or lost its permissions: nothing the monitor can
        # fix, and Alertmanager retries a 5xx, so the alert is not lost while an admin looks.
        logger.error(
            "Alert intake refused: the %s account may not open incidents.", INTAKE_USERNAME
        )
        return error_json(
            "intake_unavailable",
            f"The portal's intake account ({INTAKE_USERNAME}) may not open incidents: it was "
            "deactivated or lost its permissions. Ask an administrator.",
            503,
        )
    return JsonResponse(result.as_json(), status=200)


@csrf_exempt
@require_POST
def alertmanager(request: HttpRequest) -> HttpResponse:
    """Alertmanager's webhook (payload version 4)."""
    return _receive(request, IntakeSource.Kind.ALERTMANAGER, alertmanager_batch)


@csrf_exempt
@require_POST
def generic(request: HttpRequest) -> HttpResponse:
    """One generic JSON event."""
    return _receive(request, IntakeSource.Kind.GENERIC, generic_batch)
