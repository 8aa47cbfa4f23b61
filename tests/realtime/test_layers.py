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
