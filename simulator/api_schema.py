"""The OpenAPI schema's description of error answers.

drf-spectacular documents only the success answer of each operation. Every REST endpoint
also answers errors through ``simulator.api.exception_handler`` (and DRF's own handler), so
an operation documents the ones that can reach it: 403 always (a permission class or the
service refuses; anonymous callers too, as session authentication comes first and DRF then
says 403, not 401), 404 when a path parameter names an object, 400 when it writes or reads
query filters it checks (a view with ``reads_filters = True``), 409 when
a signed-in user writes, 415 when it reads a body (sent as a media type no parser of the
view reads, or without one), and 429 on the token endpoint during a sign-in lock-out.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
    "description": "A refusal with its reason.",
}
SERVICE_ERROR = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["detail"],
    "description": "A refusal by the service, with messages per field when it names fields.",
}
SOURCE_ERRORS = {
    "type": "object",
    "properties": {
        "valid": {"type": "boolean", "description": "Always false."},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "line": {"type": "integer"},
                    "column": {"type": "integer"},
                    "field": {"type": "string"},
                    "message": {"type": "string"},
                },
                "required": ["line", "column", "field", "message"],
            },
        },
    },
    "required": ["valid", "errors"],
    "description": "A YAML text refused, each error with its line and column.",
}
FIELD_ERRORS = {
    "type": "object",
    "additionalProperties": {"anyOf": [{"type": "array"}, {"type": "object"}]},
    "description": "Request fields refused: messages per field (nested for nested fields).",
}


class AutoSchema(SpectacularAutoSchema):
    def _component(self, name: str, schema: dict) -> dict:
        component = ResolvedComponent(
            name=name, type=ResolvedComponent.SCHEMA, schema=schema, object=name
        )
        self.registry.register_on_missing(component)
        return component.ref

    def _error(self, description: str, schema: dict) -> dict:
        return {"description": description, "content": {"application/json": {"schema": schema}}}

    def _get_response_bodies(self, direction="response") -> dict:
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        detail = self._component("ErrorDetail", DETAIL)
        errors: dict[str, dict] = {}
        if self.method not in WRITE_METHODS and getattr(self.view, "reads_filters", False):
            errors["400"] = self._error(
                "A filter refused (unknown, malformed), with a message per field.",
                self._component("ServiceError", SERVICE_ERROR),
            )
        if self.method in WRITE_METHODS:
            errors["400"] = self._error(
                "Refused input.",
                {
                    "anyOf": [
                        self._component("ServiceError", SERVICE_ERROR),
                        self._component("SourceErrors", SOURCE_ERRORS),
                        self._component("FieldErrors", FIELD_ERRORS),
                    ]
                },
            )
        errors["403"] = self._error("Not signed in, or not allowed.", detail)
        if "{" in self.path:
            errors["404"] = self._error("No such object within your reach.", detail)
        signed_in = any(not isinstance(p, AllowAny) for p in self.view.get_permissions())
        if self.method in WRITE_METHODS and signed_in:
            errors["409"] = self._error("Conflicts with what is stored.", detail)
        if self._get_request_body():
            errors["415"] = self._error(
                "The body's media type is not one this operation reads.", detail
            )
        if isinstance(self.view, ObtainAuthToken):
            errors["429"] = self._error("Too many failed sign-ins: locked out for a while.", detail)
        return {**responses, **{code: r for code, r in errors.items() if code not in responses}}
