"""The API schema's AutoSchema: every operation documents the error answers it can give.

drf-spectacular documents the success answer of each operation; the errors the API's own
machinery gives (bcp_portal.core.api.errors, the request guard, the parsers, knox, the role
permissions) were left out, so a client (and schemathesis) met undocumented 400s and 404s.
Each operation now lists, in the error shape (`ErrorSerializer`):

- 400 always (a malformed parameter, a NUL character, too many fields; a body that does not
  validate or parse);
- 401 and 403 when the view requires a signed-in user;
- 404 when the path names an object;
- 406 always (an Accept header that excludes JSON, the only type the API answers in);
- 413 and 415 when it takes a body (over `limits.REQUEST_BODY_MAX_BYTES`; not JSON).

An operation's own `extend_schema(responses=...)` wins over these defaults.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework.permissions import AllowAny

from bcp_portal.core import filters, limits
from bcp_portal.core.api.errors import ErrorSerializer

ERROR_ANSWERS = {
    "400": "Invalid input: the error names each parameter or field at fault, and why.",
    "401": "No credentials, or credentials that are not valid (WWW-Authenticate says which).",
    "403": "Signed in, but your roles do not allow this.",
    "404": "No such object, or not one you may see.",
    "406": "The Accept header excludes application/json, the only type the API answers in.",
    "413": f"The request body is over the limit of {limits.REQUEST_BODY_MAX_BYTES:,} bytes.",
    "415": "The body is not JSON (send Content-Type: application/json).",
}


class PortalAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code not in responses:
                answer = OpenApiResponse(ErrorSerializer, description=ERROR_ANSWERS[code])
                responses[code] = self._get_response_for_code(answer, code, direction=direction)
        return responses

    def _error_codes(self) -> list[str]:
        codes = ["400"]
        permissions = getattr(self.view, "permission_classes", [])
        if not all(permission is AllowAny for permission in permissions):
            codes += ["401", "403"]
        if "{" in self.path:
            codes.append("404")
        codes.append("406")
        if self.method in ("POST", "PUT", "PATCH"):
            codes += ["413", "415"]
        return codes


def empty_means_no_filter(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Post-processing hook: a list filter given empty means "no filter" (as a form's "All"
    option sends it; `bcp_portal.core.filters`), so each choice parameter's enum has "";
    a switch (`YesNoFilter`) takes the words it lists, or nothing."""
    switch = {"type": "string", "enum": [*filters.TRUE_VALUES, *filters.FALSE_VALUES, ""]}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter.get("in") != "query":
                    continue
                schema = parameter.get("schema", {})
                if schema.get("type") == "boolean":
                    parameter["schema"] = dict(switch)
                elif "enum" in schema and "" not in schema["enum"]:
                    schema["enum"] = [*schema["enum"], ""]
    return result
