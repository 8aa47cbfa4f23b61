"""The WebSocket route: anonymous users are rejected, signed-in users get an echo that
travelled through the channel layer."""

from __future__ import annotations

import json

import pytest
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from diagnostics.consumers import EchoConsumer
from tests.event_loops import run_coroutine

REDIS_FOR_TESTS = settings.REDIS_URL or "redis://127.0.0.1:6379/0"


def _redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_FOR_TESTS, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


LAYERS = {
    "in_memory": {"BACKEND": "channels.layers.InMemoryChannelLayer"},
    "database": {"BACKEND": "realtime.layers.DatabaseChannelLayer"},
    "redis": {
        "BACKEND": "realtime.redis_layer.ProcessLocalRedisChannelLayer",
        "CONFIG": {"hosts": [{"address": REDIS_FOR_TESTS, "socket_timeout": 30}]},
    },
}


@pytest.fixture(params=sorted(LAYERS))
def channel_layer_backend(request, settings):
    if request.param == "redis" and not _redis_available():
        if settings.REDIS_URL:
            pytest.fail(f"REDIS_URL is set but Redis does not answer at {REDIS_FOR_TESTS}")
        pytest.skip("no Redis server on this machine")
    settings.CHANNEL_LAYERS = {"default": LAYERS[request.param]}
    channel_layers.backends.clear()
    yield request.param
    channel_layers.backends.clear()


@pytest.mark.django_db(transaction=True)
def test_echo_rejects_anonymous_and_echoes_for_signed_in(channel_layer_backend, trainee):
    async def scenario():
        anonymous = WebsocketCommunicator(EchoConsumer.as_asgi(), "/ws/echo/")
        anonymous.scope["user"] = AnonymousUser()
        connected, _code = await anonymous.connect()
        assert not connected

        communicator = WebsocketCommunicator(EchoConsumer.as_asgi(), "/ws/echo/")
        communicator.scope["user"] = trainee
        connected, _ = await communicator.connect()
        assert connected
        await communicator.send_to(text_data=json.dumps({"text": "亲，在的"}))
        reply = await communicator.receive_json_from(timeout=5)
        assert reply["echo"] == {"text": "亲，在的"}
        assert reply["user"] == "xiaoya"
        await communicator.send_to(text_data="not json")
        assert "error" in await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()

    run_coroutine(scenario())


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_real_server_websocket_uses_the_session_login(live_asgi, client, trainee):
    """Through the ASGI server (uvicorn), AuthMiddlewareStack and the configured channel layer."""
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    url = f"{live_asgi.ws_url}/ws/echo/"
    origin = live_asgi.url
    with pytest.raises(InvalidStatus) as rejected:
        connect(url, origin=origin, open_timeout=10)
    assert rejected.value.response.status_code == 403

    client.force_login(trainee)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    with connect(url, origin=origin, additional_headers={"Cookie": cookie}, open_timeout=10) as ws:
        ws.send(json.dumps({"seq": 1}))
        reply = json.loads(ws.recv(timeout=10))
    assert reply["echo"] == {"seq": 1} and reply["user"] == "xiaoya"

    # A page on another site cannot open a socket with the user's cookie.
    with pytest.raises(InvalidStatus):
        connect(
            url,
            origin="http://evil.example",
            additional_headers={"Cookie": cookie},
            open_timeout=10,
        )
