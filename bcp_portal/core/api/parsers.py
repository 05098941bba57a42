"""The API's JSON parser: bounded in size and in depth.

Python's json module recurses once per nesting level: a body of 10,000 `[` characters
raised RecursionError (a 500) before any view ran. The parser reads at most
`REQUEST_BODY_MAX_BYTES` (413 beyond, in the error shape) and scans the text for its
nesting depth before decoding (400 naming the limit beyond `JSON_MAX_DEPTH`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import IO, Any

from rest_framework import exceptions, parsers, status

from bcp_portal.core import limits


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"
    default_detail = (
        f"The request body is larger than the limit of {limits.REQUEST_BODY_MAX_BYTES:,} bytes."
    )


# A JSON string (skipped whole, escapes included) or one bracket.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def json_depth(text: str) -> int:
    """The deepest nesting of objects and arrays in `text`, without decoding it."""
    depth = deepest = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif token in "]}":
            depth -= 1
    return deepest


class JSONParser(parsers.JSONParser):
    def parse(
        self,
        stream: IO[bytes] | None,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        if stream is None:
            return None
        raw = stream.read(limits.REQUEST_BODY_MAX_BYTES + 1)
        if len(raw) > limits.REQUEST_BODY_MAX_BYTES:
            raise RequestTooLarge()
        encoding = (parser_context or {}).get("encoding", "utf-8")
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise exceptions.ParseError(f"JSON parse error: the body is not {encoding}.") from exc
        if json_depth(text) > limits.JSON_MAX_DEPTH:
            raise exceptions.ParseError(
                f"JSON parse error: objects and arrays nest deeper than the limit of "
                f"{limits.JSON_MAX_DEPTH} levels."
            )
        return super().parse(io.BytesIO(raw), media_type, parser_context)
