"""OpenAPI description of the API's authentication and of what every 202 carries."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "optout.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`; create keys on the API tokens page.",
        }


def location_on_accepted(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Declare ``Location`` on every 202 (``optout.api.responses.accepted`` always sets it),
    so a generated client reads where to poll without each view repeating the header."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict):
                continue
            accepted = operation.get("responses", {}).get("202")
            if accepted is None:
                continue
            accepted.setdefault("headers", {}).setdefault(
                "Location",
                {
                    "schema": {"type": "string", "format": "uri"},
                    "description": "Where to poll: the started object, or its job.",
                },
            )
    return result
