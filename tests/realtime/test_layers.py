"""The database channel layer: the embedded default that crosses process boundaries."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from channels.exceptions import ChannelFull
from django.utils import timezone

from realtime.layers import DatabaseChannelLayer
from realtime.models import LayerMessage
from tests.event_loops import run_coroutine

pytestmark = pytest.mark.django_db(transaction=True)


def run(coroutine):
    return run_coroutine(coroutine)


def test_send_receive_in_order():
    layer = DatabaseChannelLayer()

    async def scenario():
        channel = await layer.new_channel()
        for n in range(3):
            await layer.send(channel, {"type": "x", "n": n})
        return [(await layer.receive(channel))["n"] for _ in range(3)]

    assert run(scenario()) == [0, 1, 2]
    assert not LayerMessage.objects.exists()


def test_group_send_reaches_every_member_but_not_discarded_ones():
    layer = DatabaseChannelLayer()

    async def scenario():
        a, b = await layer.new_channel(), await layer.new_channel()
        await layer.group_add("session.1", a)
        await layer.group_add("session.1", b)
        await layer.group_discard("session.1", b)
        await layer.group_send("session.1", {"type": "line", "text": "在吗？"})
        got = await asyncio.wait_for(layer.receive(a), 2)
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(layer.receive(b), 0.3)
        return got

    assert run(scenario())["text"] == "在吗？"


def test_capacity_and_expiry():
    layer = DatabaseChannelLayer(capacity=2, expiry=60)

    async def fill():
        channel = await layer.new_channel()
        await layer.send(channel, {"type": "x"})
        await layer.send(channel, {"type": "x"})
        with pytest.raises(ChannelFull):
            await layer.send(channel, {"type": "x"})
        return channel

    channel = run(fill())
    LayerMessage.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    async def after_expiry():
        await layer.send(channel, {"type": "fresh"})  # expired rows are cleared first
        return await asyncio.wait_for(layer.receive(channel), 2)

    assert run(after_expiry())["type"] == "fresh"


def test_the_poller_outlives_a_locked_database_and_the_failure_is_counted(monkeypatch):
    """A locked SQLite file (past its busy timeout) must not kill the poller, or every
    socket of the process goes deaf; a lock that outlasts the retries is counted where the
    diagnostics read it, and polling goes on."""
    from django.db import OperationalError

    from realtime import layers
    from simulator.background import background_failures, background_failures_clear

    background_failures_clear()
    monkeypatch.setattr(layers, "POLL_RETRY_S", 0.05, raising=False)
    layer = DatabaseChannelLayer()
    real_pop = layer._pop_many
    failures_left = {"n": 12}  # more than one round of retries (8 attempts)

    def locked_then_fine(channels):
        if failures_left["n"]:
            failures_left["n"] -= 1
            raise OperationalError("database is locked")
        return real_pop(channels)

    monkeypatch.setattr(layer, "_pop_many", locked_then_fine)

    async def scenario():
        channel = await layer.new_channel()
        await layer.send(channel, {"type": "line", "text": "还在吗？"})
        return await asyncio.wait_for(layer.receive(channel), 30)

    assert run(scenario())["text"] == "还在吗？"
    assert failures_left["n"] == 0
    [failure] = background_failures()
    assert failure.kind == "channel_layer.poll" and failure.count == 1 and failure.recent
    assert "database is locked" in failure.last_error
    background_failures_clear()
