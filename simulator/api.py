"""What every REST API shares: the mapping of service errors to HTTP answers, and
permission classes made from a Django permission name.

Service errors, for every endpoint alike:

- ``SourceErrors`` (a YAML file): 400,
  ``{"valid": false, "errors": [{line, column, field, message}]}``;
- ``Conflict``: 409, ``{"detail": "..."}``;
- ``ValidationError``: 400, ``{"detail": "...", "errors": {field: [messages]}}``
  (``errors`` only when the error names fields);
- ``PermissionDenied``: 403, ``{"detail": "..."}``;
- ``ObjectDoesNotExist``: 404, ``{"detail": "..."}``.

Anything else goes to DRF's own handler (its ``APIException`` subclasses, ``Http404``).
"""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import status
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from simulator.service_errors import Conflict, error_text
from yamlsource import SourceErrors


def source_errors_data(errors: SourceErrors) -> list[dict]:
    return [
        {
            "line": e.position.line,
            "column": e.position.column,
            "field": e.field,
            "message": e.message,
        }
        for e in sorted(errors.errors)
    ]


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, SourceErrors):
        return Response(
            {"valid": False, "errors": source_errors_data(exc)}, status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, Conflict):
        return Response({"detail": error_text(exc)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, ValidationError):
        body: dict = {"detail": error_text(exc)}
        if hasattr(exc, "error_dict"):
            body["errors"] = exc.message_dict
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, PermissionDenied):
        return Response(
            {"detail": str(exc) or _("You may not do this.")}, status=status.HTTP_403_FORBIDDEN
        )
    if isinstance(exc, ObjectDoesNotExist):
        return Response({"detail": _("Not found.")}, status=status.HTTP_404_NOT_FOUND)
    return drf_exception_handler(exc, context)


def permission(perm: str, message: str | Promise | None = None) -> type[BasePermission]:
    """A DRF permission class granting users who hold the Django permission ``perm``
    (``"app_label.codename"``); ``message`` is the 403's detail (DRF's own by default)."""

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.has_perm(perm))

    attributes: dict = {"has_permission": has_permission, "__doc__": f"Holds {perm}."}
    if message is not None:
        attributes["message"] = message
    return type("Has_" + perm.replace(".", "_"), (BasePermission,), attributes)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 404 of an address no route matches (``handler404``): under ``/api/`` the JSON
    the schema documents, as API clients read it (e.g. text where a route takes an id);
    Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)
