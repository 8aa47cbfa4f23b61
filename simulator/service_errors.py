"""The errors services raise, and how pages show them.

Services raise Django's own exceptions (``ValidationError``, ``PermissionDenied``,
``ObjectDoesNotExist``), plus ``Conflict`` for a request that clashes with what is stored
(an attempt already submitted, an exam already running). The REST APIs map them in one
place (``simulator.api.exception_handler``); pages flash them with ``flash_error``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest


class Conflict(ValidationError):
    """The request is well-formed but clashes with the current state: HTTP 409."""


def error_text(exc: Exception) -> str:
    """One line a person can read: the service's own messages, joined."""
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def flash_error(request: HttpRequest, exc: Exception) -> None:
    messages.error(request, error_text(exc))
