"""Holding a user whose password was chosen by someone else until they choose their own.

While ``User.must_change_password`` is set:

- pages redirect to the change page (``PasswordChangeRequiredMiddleware``), except the
  change page itself, signing out and the language switch; static files never reach it;
- REST APIs answer 403 ``{"detail": ...}`` (the authentication classes below, listed in
  ``REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]``), whether the caller uses the session
  or a token; ``/api/auth/token/`` refuses such users a token with the same 403, since
  changing the password deletes the user's tokens anyway;
- WebSocket handshakes are refused (``PasswordChangeRequiredGuard`` in the ASGI stack).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

API_REFUSAL = _(
    "You must change your password before using the API: sign in on the website and "
    "choose a new password, then ask for a new token."
)

# Where a user who must change their password may still go (URL names).
_OPEN_VIEWS = frozenset(
    {"accounts:password_change", "accounts:logout", "admin:logout", "set_language"}
)

# Close code of a refused handshake (4000-4999 are the application's; 4403 reads as 403).
WEBSOCKET_REFUSED = 4403


def password_change_required(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.must_change_password)


class PasswordChangeRequiredMiddleware:
    """Pages: a redirect to the change page, remembering the page asked for (GET only)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not password_change_required(getattr(request, "user", None)):
            return None
        if request.resolver_match.view_name in _OPEN_VIEWS:
            return None
        # Imported here: DRF loads this module's authentication classes from the settings
        # while rest_framework.views itself is being imported.
        from rest_framework.views import APIView

        view_class = getattr(view_func, "cls", None)
        if isinstance(view_class, type) and issubclass(view_class, APIView):
            return None  # REST endpoints answer a JSON 403 themselves (see below)
        url = reverse("accounts:password_change")
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(url)


class _RefusedWhilePasswordChangeRequired:
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and password_change_required(result[0]):
            # DRF's own exception: the request then counts as anonymous for the rest of
            # its handling (rendering included), and the answer is a 403 with the detail.
            raise exceptions.PermissionDenied(API_REFUSAL, code="password_change_required")
        return result


class SessionAuthentication(
    _RefusedWhilePasswordChangeRequired, authentication.SessionAuthentication
):
    """DRF's session authentication, refusing users who must change their password."""


class TokenAuthentication(_RefusedWhilePasswordChangeRequired, authentication.TokenAuthentication):
    """DRF's token authentication, refusing users who must change their password."""


class PasswordChangeRequiredGuard:
    """ASGI middleware for WebSockets, inside the authentication middleware: refuses the
    handshake of a user who must change their password, whatever the route."""

    def __init__(self, inner) -> None:
        self.inner = inner

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and password_change_required(scope.get("user")):
            await receive()  # websocket.connect
            await send({"type": "websocket.close", "code": WEBSOCKET_REFUSED})
            return None
        return await self.inner(scope, receive, send)
