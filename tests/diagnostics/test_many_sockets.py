"""200 sockets at once, held past the 5 s socket timeout that once dropped idle consumers,
each still answered through the channel layer (both the embedded layer and Redis)."""

from __future__ import annotations

import asyncio
import json

import pytest

from tests.event_loops import run_coroutine

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]
SOCKETS = 200
HOLD_S = 7


def test_two_hundred_concurrent_sockets(live_asgi, client, trainee):
    from websockets.asyncio.client import connect

    client.force_login(trainee)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    url = f"{live_asgi.ws_url}/ws/echo/"

    async def one(index: int, ready: asyncio.Event) -> int:
        async with connect(
            url,
            origin=live_asgi.url,
            additional_headers={"Cookie": cookie},
            open_timeout=30,
            ping_interval=None,
        ) as ws:
            await ready.wait()
            await ws.send(json.dumps({"n": index}))
            reply = json.loads(await asyncio.wait_for(ws.recv(), timeout=30))
            return reply["echo"]["n"]

    async def all_of_them() -> list:
        ready = asyncio.Event()
        tasks = [asyncio.create_task(one(n, ready)) for n in range(SOCKETS)]
        await asyncio.sleep(HOLD_S)  # every socket open and idle past 5 s
        ready.set()
        return await asyncio.gather(*tasks, return_exceptions=True)

    results = run_coroutine(all_of_them())
    failures = [r for r in results if isinstance(r, BaseException)]
    assert not failures, f"{len(failures)} sockets failed, e.g. {failures[:3]!r}"
    assert sorted(results) == list(range(SOCKETS))
