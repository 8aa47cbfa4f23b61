"""The production channel layer: group messages for this process' sockets stay in memory,
the others go through Redis, and every member gets each message once."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
import uuid

import pytest
import redis
from django.conf import settings

from realtime.redis_layer import ProcessLocalRedisChannelLayer
from tests.event_loops import run_coroutine

REDIS_FOR_TESTS = settings.REDIS_URL or "redis://127.0.0.1:6379/0"


@pytest.fixture
def prefix():
    try:
        redis.Redis.from_url(REDIS_FOR_TESTS, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if settings.REDIS_URL:
            pytest.fail(f"REDIS_URL is set but Redis does not answer at {REDIS_FOR_TESTS}")
        pytest.skip("no Redis server on this machine")
    name = f"test-layer-{uuid.uuid4().hex[:8]}"
    yield name
    client = redis.Redis.from_url(REDIS_FOR_TESTS)
    for key in client.scan_iter(f"{name}*"):
        client.delete(key)


def layer_for(prefix: str, **kwargs) -> ProcessLocalRedisChannelLayer:
    """One server process' layer (each instance has its own client prefix)."""
    return ProcessLocalRedisChannelLayer(
        hosts=[{"address": REDIS_FOR_TESTS, "socket_timeout": 30}], prefix=prefix, **kwargs
    )


def redis_keys(prefix: str) -> list[str]:
    return sorted(
        key.decode() for key in redis.Redis.from_url(REDIS_FOR_TESTS).scan_iter(f"{prefix}*")
    )


async def receive(layer, channel, timeout=2.0):
    return await asyncio.wait_for(layer.receive(channel), timeout)


def test_a_member_in_this_process_gets_the_message_without_redis(prefix):
    layer = layer_for(prefix)

    async def scenario():
        channel = await layer.new_channel()
        waiting = asyncio.ensure_future(receive(layer, channel))
        await asyncio.sleep(0.05)  # the socket is waiting, as a consumer always is
        await layer.group_add("session.7", channel)
        await layer.group_send("session.7", {"type": "session.message", "text": "在吗？"})
        keys_after_send = redis_keys(prefix)
        got = await waiting
        await layer.close_pools()
        return got, keys_after_send

    got, keys = run_coroutine(scenario())
    assert got == {"type": "session.message", "text": "在吗？"}
    assert layer.local_deliveries == 1
    # Only the group is in Redis: no message list was written for this process.
    assert keys == [f"{prefix}:group:session.7"]


def test_members_in_other_processes_get_it_through_redis_and_nobody_twice(prefix):
    here, elsewhere = layer_for(prefix), layer_for(prefix)

    async def scenario():
        mine, theirs = await here.new_channel(), await elsewhere.new_channel()
        gone = await elsewhere.new_channel()
        for channel in (mine, theirs, gone):
            await here.group_add("session.8", channel)
        await here.group_discard("session.8", gone)
        got_mine = asyncio.ensure_future(receive(here, mine))
        got_theirs = asyncio.ensure_future(receive(elsewhere, theirs))
        await asyncio.sleep(0.05)
        for n in range(3):
            await here.group_send("session.8", {"type": "line", "n": n})
        mine_all = [(await got_mine)["n"]] + [(await receive(here, mine))["n"] for _ in "ab"]
        theirs_all = [(await got_theirs)["n"]] + [
            (await receive(elsewhere, theirs))["n"] for _ in "ab"
        ]
        extra = []
        for layer, channel in ((here, mine), (elsewhere, theirs), (elsewhere, gone)):
            with contextlib.suppress(TimeoutError):
                extra.append(await receive(layer, channel, timeout=0.3))
        await here.close_pools()
        await elsewhere.close_pools()
        return mine_all, theirs_all, extra

    mine_all, theirs_all, extra = run_coroutine(scenario())
    assert mine_all == [0, 1, 2]
    assert theirs_all == [0, 1, 2]
    assert extra == []
    assert here.local_deliveries == 3


def test_a_push_from_another_thread_reaches_the_socket_on_its_loop(prefix):
    """A sync service in a request thread pushes on a loop of its own (realtime.push)."""
    layer = layer_for(prefix)

    async def scenario():
        channel = await layer.new_channel()
        await layer.group_add("session.9", channel)
        waiting = asyncio.ensure_future(receive(layer, channel))
        await asyncio.sleep(0.05)

        def push_from_thread():
            asyncio.run(layer.group_send("session.9", {"type": "session.ended"}))

        thread = threading.Thread(target=push_from_thread)
        thread.start()
        got = await waiting
        await asyncio.get_running_loop().run_in_executor(None, thread.join)
        await layer.close_pools()
        return got

    assert run_coroutine(scenario()) == {"type": "session.ended"}
    assert layer.local_deliveries == 1


def test_stale_members_are_dropped_and_a_full_remote_list_does_not_fail(prefix):
    # The sender's capacity applies (every process has the same settings).
    here = layer_for(prefix, capacity=1)
    elsewhere = layer_for(prefix)

    async def scenario():
        theirs = await elsewhere.new_channel()
        await here.group_add("session.10", theirs)
        await here.group_send("session.10", {"type": "line", "n": 1})
        await here.group_send("session.10", {"type": "line", "n": 2})  # over capacity
        first = await receive(elsewhere, theirs)
        # The membership turns older than the group expiry (a socket of a process that
        # died without leaving); a fresh member keeps the group itself alive.
        redis.Redis.from_url(REDIS_FOR_TESTS).zadd(
            f"{prefix}:group:session.10", {theirs: time.time() - here.group_expiry - 60}
        )
        fresh = await elsewhere.new_channel()
        await here.group_add("session.10", fresh)
        await here.group_send("session.10", {"type": "line", "n": 3})
        got_fresh = await receive(elsewhere, fresh)
        try:
            late = await receive(elsewhere, theirs, timeout=0.3)
        except TimeoutError:
            late = None
        members = redis.Redis.from_url(REDIS_FOR_TESTS).zrange(f"{prefix}:group:session.10", 0, -1)
        await here.close_pools()
        await elsewhere.close_pools()
        return first, got_fresh, late, members, fresh

    first, got_fresh, late, members, fresh = run_coroutine(scenario())
    assert first["n"] == 1
    assert got_fresh["n"] == 3
    assert late is None
    assert members == [fresh.encode()]


def test_a_socket_hears_when_redis_is_gone_instead_of_waiting_forever():
    layer = ProcessLocalRedisChannelLayer(
        hosts=[{"address": "redis://127.0.0.1:1/0", "socket_connect_timeout": 1}]
    )

    async def scenario():
        channel = await layer.new_channel()
        try:
            await asyncio.wait_for(layer.receive(channel), 30)
        except TimeoutError:
            return "waited"
        except redis.RedisError as error:
            return type(error).__name__
        return "received"

    assert run_coroutine(scenario()) == "ConnectionError"


def test_a_one_off_receive_on_another_prefix_leaves_the_sockets_their_pushes(prefix):
    """The status page's round trip (a ``healthz.`` channel) once left the process reading
    only that list: pushes from the worker to the sockets' list were never popped."""
    here, worker = layer_for(prefix), layer_for(prefix)

    async def scenario():
        probe = await here.new_channel("healthz.")
        await here.send(probe, {"type": "healthz.ping"})
        pong = await receive(here, probe)
        socket = await here.new_channel()
        await here.group_add("session.11", socket)
        waiting = asyncio.ensure_future(receive(here, socket, timeout=8))
        await asyncio.sleep(0.05)
        await worker.group_send("session.11", {"type": "session.message", "text": "在吗？"})
        got = await waiting
        await here.close_pools()
        await worker.close_pools()
        return pong, got

    pong, got = run_coroutine(scenario())
    assert pong == {"type": "healthz.ping"}
    assert got == {"type": "session.message", "text": "在吗？"}
    assert all(not process_list.listening for process_list in here._lists.values())


def test_receiving_on_a_new_event_loop_ignores_a_pop_lock_the_old_loop_left_held(prefix):
    """A finished loop (a test's, or a thread's) once left the pop lock of this process'
    list held and bound to itself: every socket on the next loop then failed with "bound
    to a different event loop". Nothing asyncio made on an old loop is awaited again."""
    here, elsewhere = layer_for(prefix), layer_for(prefix)

    async def leave_the_lock_held():
        channel = await here.new_channel()
        await here.receive_clean_locks.acquire(here.prefix + here.non_local_name(channel))

    async def on_a_new_loop():
        channel = await here.new_channel()
        await here.group_add("session.12", channel)
        waiting = asyncio.ensure_future(receive(here, channel, timeout=8))
        await asyncio.sleep(0.05)
        await elsewhere.group_send("session.12", {"type": "session.ended"})
        got = await waiting
        await here.close_pools()
        await elsewhere.close_pools()
        return got

    run_coroutine(here.new_channel())  # any earlier use of the layer on another loop
    here._receiving_loop = asyncio.new_event_loop()  # the loop the old sockets ran on
    run_coroutine(leave_the_lock_held())
    here._receiving_loop.close()
    assert run_coroutine(on_a_new_loop()) == {"type": "session.ended"}
