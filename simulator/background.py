"""Background work that must not die quietly: asyncio tasks in the server process (a buyer's
line waiting to be delivered, the channel layer's poller) and Celery tasks in the worker.

A transient database error (SQLite's "database is locked" past its busy timeout, a
PostgreSQL connection dropped or refused) is retried with exponential backoff. Work that
still fails is given up *loudly*: logged at error level and counted in the cache, where
``/healthz`` and the diagnostics page read it (``background_failures``). Whoever gives up
leaves the work where the next wake-up finds it (an undelivered line stays pending, and
the session's next wake-up or reconnect pushes it).

The cache, not the database, holds the counts: the database is what may be failing, and
every process (server, worker) must be able to record and read them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from django.core.cache import cache
from django.db import InterfaceError, OperationalError
from django.utils import timezone

logger = logging.getLogger("simulator.background")

T = TypeVar("T")

# Errors that go away by themselves: a locked SQLite file, a dropped or refused connection.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)
# Celery options of a task that is safe to run twice: a transient database error is retried
# with backoff (``simulator.celery`` logs and counts a task that still fails).
RETRYING: dict = {
    "acks_late": True,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 1,
    "retry_backoff_max": 30,
    "retry_jitter": True,
    "max_retries": 8,
}
# What the diagnostics show; a failure older than this no longer marks the system degraded.
RECENT = timedelta(minutes=15)
_KINDS_KEY = "background:kinds"
_KEY_TTL_S = 7 * 24 * 3600


class GaveUp(Exception):
    """Background work failed on every attempt; it has been logged and counted."""


@dataclass(frozen=True)
class Backoff:
    attempts: int = 8
    first_s: float = 0.05
    most_s: float = 2.0

    def delays(self) -> list[float]:
        """The waits between attempts: 0.05, 0.1, 0.2 ... capped (8 attempts: ~5 s)."""
        return [min(self.most_s, self.first_s * 2**n) for n in range(self.attempts - 1)]


async def retry_async(
    kind: str, call: Callable[[], Awaitable[T]], backoff: Backoff = Backoff()
) -> T:
    """Await ``call()`` until it succeeds, retrying transient database errors with backoff;
    after the last attempt the failure is recorded under ``kind`` and ``GaveUp`` raised."""
    for delay in backoff.delays():
        try:
            return await call()
        except TRANSIENT_ERRORS as exc:
            logger.warning("%s: %s; retrying in %.2f s", kind, exc, delay)
            await asyncio.sleep(delay)
    try:
        return await call()
    except TRANSIENT_ERRORS as exc:
        record_failure(kind, exc)
        raise GaveUp(kind) from exc


@dataclass(frozen=True)
class Failure:
    kind: str
    count: int
    last_at: datetime
    last_error: str

    @property
    def recent(self) -> bool:
        return timezone.now() - self.last_at < RECENT


def record_failure(kind: str, exc: BaseException) -> None:
    """Log and count work given up. Never raises: recording must not become a new failure.
    The count is read, then written (the cache has no atomic update of a record on every
    backend), so two processes giving up at the same instant may count once: it is a
    signal for an operator, the log line is the record."""
    logger.error("%s gave up: %s: %s", kind, type(exc).__name__, exc)
    try:
        kinds = set(cache.get(_KINDS_KEY) or ())
        if kind not in kinds:
            cache.set(_KINDS_KEY, sorted(kinds | {kind}), _KEY_TTL_S)
        previous = cache.get(f"background:{kind}") or {"count": 0}
        cache.set(
            f"background:{kind}",
            {
                "count": previous["count"] + 1,
                "last_at": timezone.now().isoformat(),
                "last_error": f"{type(exc).__name__}: {exc}"[:500],
            },
            _KEY_TTL_S,
        )
    except Exception:  # the cache is down too: the log line above is what remains
        logger.exception("could not count a background failure of %s", kind)


def background_failures_clear() -> None:
    """Forget every recorded failure (an operator's reset; tests)."""
    kinds = cache.get(_KINDS_KEY) or ()
    cache.delete_many([_KINDS_KEY, *(f"background:{kind}" for kind in kinds)])


def background_failures() -> list[Failure]:
    """Every kind of background work given up in the last week, most recent first. When
    the cache that keeps the counts cannot be read (Redis is down), that is the failure
    reported: /healthz must still answer, with its verdicts."""
    try:
        return _failures_counted()
    except Exception as exc:
        logger.exception("could not read the background failure counts")
        return [Failure("failure counts", 1, timezone.now(), f"{type(exc).__name__}: {exc}"[:500])]


def _failures_counted() -> list[Failure]:
    failures = []
    for kind in cache.get(_KINDS_KEY) or ():
        entry = cache.get(f"background:{kind}")
        if entry:
            failures.append(
                Failure(
                    kind,
                    entry["count"],
                    datetime.fromisoformat(entry["last_at"]),
                    entry["last_error"],
                )
            )
    return sorted(failures, key=lambda failure: failure.last_at, reverse=True)
