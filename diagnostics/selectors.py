"""Reads for diagnostics: the health of each part and recent timer probes."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection
from django.db.models import QuerySet

from diagnostics.models import TimerProbe


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    backend: str
    detail: str
    ms: float


def _timed(name: str, backend: str, probe) -> Check:
    started = time.perf_counter()
    try:
        detail = probe()
        ok = True
    except Exception as exc:  # any failure is the answer to "is it healthy?"
        detail, ok = f"{type(exc).__name__}: {exc}", False
    return Check(name, ok, backend, detail, round((time.perf_counter() - started) * 1000, 1))


# The longest the check waits for a pooled PostgreSQL connection. While the database is
# away the pool keeps requests waiting up to its own timeout (10 s) as it reconnects; a
# health check that waited as long would look like a hung server to whoever asks, not like
# a database outage, and would answer after their own timeout.
DATABASE_WAIT_S = 1.5


def _database() -> str:
    pool = getattr(connection, "pool", None)  # PostgreSQL with a pool; None otherwise
    if pool is None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return "SELECT 1 ok"
    pool.open()  # no-op once open; the first request of a process may be this one
    with pool.connection(timeout=DATABASE_WAIT_S) as pooled:
        pooled.execute("SELECT 1").fetchone()
    return "SELECT 1 ok (pooled)"


# The longest the broker and channel layer checks take each. A health check answers with
# the state it finds now: a retry after kombu's 2 s interval made /healthz take longer than
# the probes that ask it wait (a load balancer's few seconds), so a Redis outage showed as a
# hung server, or was over, and reported healthy, by the time the check answered.
CHECK_WAIT_S = 1.0


def _broker() -> str:
    from simulator.celery import app

    # A fresh connection (not the producer pool's, which may not yet know its socket is
    # dead), tried once.
    with app.connection_for_write(connect_timeout=CHECK_WAIT_S) as conn:
        conn.ensure_connection(max_retries=0, timeout=CHECK_WAIT_S)
        return f"connected to {conn.as_uri()}"


async def _channel_round_trip() -> str:
    layer = get_channel_layer()
    # A channel like a socket's, so the round trip takes the path the sockets' messages do.
    channel = await layer.new_channel()
    token = uuid.uuid4().hex
    await layer.send(channel, {"type": "healthz.ping", "token": token})
    message = await layer.receive(channel)
    if message.get("token") != token:
        raise RuntimeError("received a different message")
    return "send/receive round trip ok"


async def _channel_round_trip_bounded() -> str:
    # The whole trip, sending too: a pooled connection to a Redis that has just gone away
    # is retried by the client before it fails.
    return await asyncio.wait_for(_channel_round_trip(), timeout=2 * CHECK_WAIT_S)


def _channel_layer() -> str:
    return async_to_sync(_channel_round_trip_bounded)()


def health_checks() -> list[Check]:
    return [
        _timed("database", connection.vendor, _database),
        _timed("broker", settings.CELERY_BROKER_URL.split("://")[0], _broker),
        _timed(
            "channel_layer",
            settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1],
            _channel_layer,
        ),
    ]


def timer_probes() -> QuerySet[TimerProbe]:
    return TimerProbe.objects.all()


def timer_probes_recent(limit: int = 20) -> QuerySet[TimerProbe]:
    return timer_probes()[:limit]
