"""The answer to a sign-in the throttle refused (AXES_LOCKOUT_CALLABLE, used by axes'
middleware): 429 with Retry-After, and a message saying when to try again; the sign-in
page again, with its form, or ``{"detail": ...}`` for the REST API."""

from __future__ import annotations

import math
from datetime import datetime

from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework.views import APIView

from accounts.lockout import client_username, lockout_duration, request_lockout

TOO_MANY_REQUESTS = 429


def lockout_response(
    request: HttpRequest, original_response: object = None, credentials: object = None
) -> HttpResponse:
    # Axes' async middleware passes its arguments shifted by one, so neither is read:
    # what is needed is on the request, where axes put it.
    credentials = getattr(request, "axes_credentials", None)
    # Now, not the request's start: a new attempt record is stamped when it is saved.
    now = timezone.now()
    lockout = request_lockout(request, credentials, now)
    # No lock-out left means it was cleared a moment ago; a first lock-out's wait is honest.
    until = lockout.until if lockout else now + lockout_duration(1)
    wait = max(1, math.ceil((until - now).total_seconds()))
    message = lockout_message(until=until, wait=wait)
    if _served_by_api(request):
        response: HttpResponse = JsonResponse({"detail": message}, status=TOO_MANY_REQUESTS)
    else:
        form = AuthenticationForm(
            request, initial={"username": client_username(request, credentials) or ""}
        )
        context = {"form": form, "next": _next_url(request), "lockout_message": message}
        response = render(request, "accounts/locked.html", context, status=TOO_MANY_REQUESTS)
    response["Retry-After"] = str(wait)
    return response


def lockout_message(*, until: datetime, wait: int) -> str:
    return _("Too many failed sign-in attempts. Please try again after %(time)s (in %(wait)s).") % {
        "time": formats.time_format(localtime(until), "H:i:s"),
        "wait": _wait_text(wait),
    }


def _wait_text(seconds: int) -> str:
    if seconds < 60:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def _served_by_api(request: HttpRequest) -> bool:
    view = getattr(getattr(request, "resolver_match", None), "func", None)
    view_class = getattr(view, "cls", None)
    return isinstance(view_class, type) and issubclass(view_class, APIView)


def _next_url(request: HttpRequest) -> str:
    """Where the sign-in page was to go next, kept only if it stays on this site."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if safe else ""
