"""Tells drf-spectacular how the API authenticates, so the schema and the docs page say so."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "api.authentication.BearerTokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A token made by an organisation admin (Organisation › API tokens), sent as "
                "`Authorization: Bearer sword_…`."
            ),
        }
