"""Sign-in throttling: django-axes records failed sign-ins; this module decides who is locked.

The policy (settings and README "Configuration"):

- An account is locked after ``LOGIN_FAILURE_LIMIT`` failures, and a client address after
  ``LOGIN_FAILURE_LIMIT_PER_ADDRESS`` failures whatever accounts they named. A lock-out
  refuses the right password too.
- A lock-out lasts ``LOGIN_LOCKOUT_SECONDS`` from the last failure, doubled for every
  further ``LIMIT`` failures, up to ``LOGIN_LOCKOUT_MAX_SECONDS``. When it ends, the next
  failure locks again (backoff). Attempts refused during a lock-out are not counted, so
  retrying does not extend it and the ``Retry-After`` the client got stays true.
- Failures are remembered for twice the longest lock-out after the last one (axes'
  ``AXES_COOLOFF_TIME`` is ``failure_memory``); a successful sign-in forgets the
  account's failures (but not the failures of other accounts from the same address).

Axes alone cannot say this: it compares one number with one limit for every counter, and
its callable ``AXES_COOLOFF_TIME`` is also what its clean-up uses for *every* client's
records, so a short cool-off computed for one client would erase another's lock-out. So
axes keeps recording attempts (its model, admin, middleware and signals), with a fixed
memory for everyone, and ``LockoutHandler`` answers "is this request locked?" from those records.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import operator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import reduce

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import transaction
from django.db.models import Max, Q, Sum
from django.http import HttpRequest
from django.utils import timezone

log = logging.getLogger(__name__)

# The length of axes' AccessAttempt.username: a longer name could not be stored (PostgreSQL).
USERNAME_MAX_LENGTH = 255
# One IPv6 client usually holds a whole /64; counting single addresses would let it change
# address for every guess.
IPV6_PREFIX = 64
# 2 ** 32 times the first lock-out is past any maximum; the cap keeps the number small.
_MAX_DOUBLINGS = 32


@dataclass(frozen=True)
class Lockout:
    until: datetime
    # "account", "address" or both: what reached its limit.
    reasons: tuple[str, ...]

    def retry_after(self, now: datetime) -> int:
        """Whole seconds until the lock-out ends (the Retry-After header), at least 1."""
        return max(1, math.ceil((self.until - now).total_seconds()))


def lockout_duration(level: int) -> timedelta:
    """How long the ``level``-th lock-out (1 = the first) lasts."""
    doublings = min(max(level - 1, 0), _MAX_DOUBLINGS)
    seconds = settings.LOGIN_LOCKOUT_SECONDS * 2**doublings
    return timedelta(seconds=min(seconds, settings.LOGIN_LOCKOUT_MAX_SECONDS))


def failure_memory(request: HttpRequest | None = None) -> timedelta:
    """How long failures are remembered after the last one (AXES_COOLOFF_TIME): twice the
    longest lock-out, so the backoff level outlives a lock-out. The same for every
    request, as axes' clean-up deletes every client's older records with it."""
    return timedelta(seconds=2 * settings.LOGIN_LOCKOUT_MAX_SECONDS)


def client_address(request: HttpRequest) -> str | None:
    """The address failures are counted against (AXES_CLIENT_IP_CALLABLE).

    ``REMOTE_ADDR``, unless ``TRUSTED_PROXY_COUNT`` reverse proxies stand in front: then
    the X-Forwarded-For entry the outermost of them appended (the n-th from the right).
    Entries further left come from the client, which can write anything there, so they
    are never read. ``None`` when no address is known (a Unix socket without a proxy).
    """
    remote = _counted_address(request.META.get("REMOTE_ADDR"))
    proxies = settings.TRUSTED_PROXY_COUNT
    if not proxies:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if len(hops) < proxies:
        # Fewer hops than proxies: the header did not come through all of them.
        return remote
    # A hop a trusted proxy wrote but that is no address: count the proxy, not nobody.
    return _counted_address(hops[-proxies]) or remote


def _counted_address(text: str | None) -> str | None:
    """The address as stored and counted: IPv4, or the /64 network of an IPv6 address.
    Accepts the ``[v6]:port`` and ``v4:port`` forms some proxies write."""
    text = (text or "").strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        host_bits = 128 - IPV6_PREFIX
        return str(ipaddress.IPv6Address(int(address) >> host_bits << host_bits))
    return str(address)


def client_username(request: HttpRequest | None, credentials: dict | None) -> str | None:
    """The account name failures are counted against (AXES_USERNAME_CALLABLE): the name
    as submitted, cut to what the attempts table holds."""
    field = get_user_model().USERNAME_FIELD
    value = (credentials or {}).get(field)
    if value is None and request is not None:
        value = request.POST.get(field)
    return value[:USERNAME_MAX_LENGTH] if isinstance(value, str) else None


def lockout_find(*, username: str | None, address: str | None, now: datetime) -> Lockout | None:
    """The lock-out in force at ``now`` for this account or this address, if any."""
    counters = [
        (reason, field, value, limit)
        for reason, field, value, limit in (
            ("account", "username", username, settings.LOGIN_FAILURE_LIMIT),
            ("address", "ip_address", address, settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS),
        )
        if value
    ]
    if not counters:
        return None
    matches = {field: Q(**{field: value}) for _, field, value, _ in counters}
    aggregates = {}
    for field, match in matches.items():
        aggregates[f"{field}_failures"] = Sum("failures_since_start", filter=match)
        aggregates[f"{field}_last"] = Max("attempt_time", filter=match)
    totals = (
        AccessAttempt.objects.filter(attempt_time__gte=now - failure_memory())
        .filter(reduce(operator.or_, matches.values()))
        .aggregate(**aggregates)
    )
    ends = {}
    for reason, field, _, limit in counters:
        failures = totals[f"{field}_failures"] or 0
        if failures >= limit:
            end = totals[f"{field}_last"] + lockout_duration(failures // limit)
            if end > now:
                ends[reason] = end
    if not ends:
        return None
    return Lockout(until=max(ends.values()), reasons=tuple(ends))


def request_lockout(
    request: HttpRequest, credentials: dict | None, now: datetime | None = None
) -> Lockout | None:
    """The lock-out in force for a request axes has annotated (``axes_*`` attributes), at
    the request's start unless ``now`` is given."""
    return lockout_find(
        username=client_username(request, credentials),
        address=request.axes_ip_address,
        now=now or request.axes_attempt_time,
    )


@transaction.atomic
def failures_forget(*, username: str) -> int:
    """Forget an account's failed sign-ins, from every address (it has just signed in)."""
    deleted, _ = AccessAttempt.objects.filter(username=username[:USERNAME_MAX_LENGTH]).delete()
    return deleted


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler (AXES_HANDLER), with this module's policy deciding."""

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        return request_lockout(request, credentials) is not None

    def get_failures(self, request, credentials: dict | None = None) -> int:
        # After recording a failure axes locks the request out when this reaches its
        # AXES_FAILURE_LIMIT; the decision is is_locked's.
        if self.is_locked(request, credentials):
            return get_failure_limit(request, credentials)
        return 0

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs) -> None:
        # The backend flags a request it refused before the failure is reported.
        refused = bool(getattr(request, "axes_locked_out", False))
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or not request.axes_locked_out:
            return
        _log_lockout(request, credentials, refused=refused)
        _flag_django_request(request)


def _log_lockout(request, credentials: dict, *, refused: bool) -> None:
    # Now, not the request's start: a new attempt record is stamped when it is saved.
    now = timezone.now()
    lockout = request_lockout(request, credentials, now)
    if lockout is None:
        return
    details = (
        client_username(request, credentials),
        request.axes_ip_address,
        request.path,
        "+".join(lockout.reasons),
        lockout.retry_after(now),
    )
    if refused:
        log.info("Sign-in refused: account %r from %s on %s (%s locked, %d s left)", *details)
    else:
        log.warning("Sign-in locked out: account %r from %s on %s (%s, for %d s)", *details)


def _flag_django_request(request) -> None:
    """DRF hands authenticate() its own request wrapper, so axes flagged the wrapper; the
    middleware that answers 429 sees Django's request underneath."""
    inner = getattr(request, "_request", None)
    if isinstance(inner, HttpRequest):
        for name, value in vars(request).items():
            if name.startswith("axes_"):
                setattr(inner, name, value)


class LockoutBackend(AxesStandaloneBackend, ModelBackend):
    """Django's model backend behind the throttle: the one AUTHENTICATION_BACKENDS entry.

    A locked account or address is refused before its password is checked (a refusal
    costs no password hashing); a successful sign-in forgets the account's failures, on
    the page and on the token API alike (the API logs no one in, so no signal tells).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is not None:
            # Axes' check: raises AxesBackendPermissionDenied during a lock-out.
            super().authenticate(request, username, password, **kwargs)
        elif settings.AXES_ENABLED and self._account_locked(username):
            # Django's test client and shell code authenticate without a request: there is
            # no address to count, but a locked account stays locked.
            raise AxesBackendPermissionDenied("The account is locked out.")
        user = ModelBackend.authenticate(self, request, username, password, **kwargs)
        if user is not None and settings.AXES_ENABLED and isinstance(username, str):
            failures_forget(username=username)
        return user

    @staticmethod
    def _account_locked(username) -> bool:
        name = client_username(None, {get_user_model().USERNAME_FIELD: username})
        return lockout_find(username=name, address=None, now=timezone.now()) is not None
