"""The session socket: only its owner connects; replies are acknowledged once; a reconnect
with ?after=N gets exactly what it missed."""

from __future__ import annotations

import pytest
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from roleplay.routing import websocket_urlpatterns
from roleplay.services import session_start
from tests.event_loops import run_coroutine

pytestmark = pytest.mark.django_db(transaction=True)


def _communicator(session_id: int, user, after: int = 0) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns),
                                         f"/ws/sessions/{session_id}/?after={after}")
    communicator.scope["user"] = user
    return communicator


def test_only_the_owner_connects_and_replies_are_acknowledged_once(
        published, trainee, other_trainee, scheduled):
    session = session_start(trainee=trainee, scenario=published[0])

    async def scenario():
        stranger = _communicator(session.pk, other_trainee)
        connected, _ = await stranger.connect()
        assert not connected
        owner = _communicator(session.pk, trainee)
        connected, _ = await owner.connect()
        assert connected
        hello = await owner.receive_json_from(timeout=5)
        assert hello["type"] == "hello" and [m["seq"] for m in hello["messages"]] == [1]
        reply = {"type": "reply", "client_id": "c-1", "text": "您好，有授权书",
                 "events": [], "sent_t": 0}
        await owner.send_json_to(reply)
        first = await owner.receive_json_from(timeout=5)
        await owner.send_json_to(reply)  # resent after a (pretend) drop
        second = await owner.receive_json_from(timeout=5)
        assert first["type"] == "ack" and first == second
        await owner.send_json_to({"type": "reply", "client_id": "c-2", "text": ""})
        error = await owner.receive_json_from(timeout=5)
        assert error["type"] == "error" and error["client_id"] == "c-2"
        await owner.send_json_to({"type": "shout"})
        assert (await owner.receive_json_from(timeout=5))["type"] == "error"
        await owner.disconnect()
        again = _communicator(session.pk, trainee, after=1)
        await again.connect()
        hello = await again.receive_json_from(timeout=5)
        assert [m["seq"] for m in hello["messages"]] == [2]  # only what it had not seen
        await again.send_json_to({"type": "sync", "after": 0})  # the page saw a gap
        resync = await again.receive_json_from(timeout=5)
        assert resync["type"] == "hello" and [m["seq"] for m in resync["messages"]] == [1, 2]
        await again.disconnect()

    run_coroutine(scenario())
    assert session.messages.filter(role="agent").count() == 1
