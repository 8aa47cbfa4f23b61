"""Sending to the channel layer from synchronous code (Celery tasks, sync services).

``async_to_sync`` would start a new event loop for every call, and channels-redis keeps its
connection pool per loop, so every push would open new Redis connections. One long-lived
loop per process, in a thread of its own, keeps one pool for the process' lifetime.
"""

from __future__ import annotations

import asyncio
import threading

from channels.layers import get_channel_layer

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None


def _background_loop() -> asyncio.AbstractEventLoop:
    global _loop
    with _lock:
        if _loop is None or _loop.is_closed():
            loop = asyncio.new_event_loop()
            threading.Thread(
                target=loop.run_forever, name="channel-layer-push", daemon=True
            ).start()
            _loop = loop
        return _loop


def group_send_sync(group: str, message: dict, timeout: float = 10.0) -> None:
    layer = get_channel_layer()
    future = asyncio.run_coroutine_threadsafe(layer.group_send(group, message), _background_loop())
    future.result(timeout=timeout)
