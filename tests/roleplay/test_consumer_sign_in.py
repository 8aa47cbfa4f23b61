"""An open role-play socket follows its sign-in: a password reset, a change made in another
browser, a sign-out or a deactivation close it with a message saying so; the browser that
changed its own password keeps its conversation."""

from __future__ import annotations

import asyncio
from importlib import import_module

import pytest
from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from accounts.models import User
from accounts.services.passwords import password_reset
from realtime.sign_ins import SIGNED_OUT_CLOSE_CODE
from roleplay.routing import websocket_urlpatterns
from roleplay.services.live import session_start
from tests.event_loops import run_coroutine
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "qiushui-lanhua-2026"


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "accounts.hashers.InitialPasswordHasher",
    ]


def _browser(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def _socket(session_id: int, user: User, browser: Client) -> WebsocketCommunicator:
    """The socket as the browser opens it: the user and the session of its cookie."""
    communicator = WebsocketCommunicator(
        URLRouter(websocket_urlpatterns), f"/ws/sessions/{session_id}/?after=0"
    )
    store = import_module(settings.SESSION_ENGINE).SessionStore
    communicator.scope["user"] = user
    communicator.scope["session"] = store(session_key=browser.session.session_key)
    return communicator


async def _open(communicator: WebsocketCommunicator) -> None:
    connected, _ = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from(timeout=5))["type"] == "hello"


async def _signed_out(communicator: WebsocketCommunicator) -> tuple[dict, dict]:
    frame = await communicator.receive_json_from(timeout=5)
    closed = await communicator.receive_output(timeout=5)
    return frame, closed


async def _still_open(communicator: WebsocketCommunicator) -> bool:
    await communicator.send_json_to({"type": "ping"})
    answer = await communicator.receive_json_from(timeout=5)
    return answer == {"type": "pong"}


def test_a_password_reset_closes_every_open_socket_of_the_user(published, trainee, admin_user):
    session = session_start(trainee=trainee, scenario=published[0])
    laptop, phone = _browser("xiaoya"), _browser("xiaoya")

    async def scenario():
        sockets = [_socket(session.pk, trainee, laptop), _socket(session.pk, trainee, phone)]
        for socket in sockets:
            await _open(socket)
        await sync_to_async(password_reset)(actor=admin_user, user=trainee)
        return [await _signed_out(socket) for socket in sockets]

    for frame, closed in run_coroutine(scenario()):
        assert frame["type"] == "signed_out" and frame["message"]
        assert closed == {"type": "websocket.close", "code": SIGNED_OUT_CLOSE_CODE}


def test_a_change_keeps_this_browsers_socket_and_closes_the_others(published, trainee):
    session = session_start(trainee=trainee, scenario=published[0])
    here, elsewhere = _browser("xiaoya"), _browser("xiaoya")

    def change_here() -> None:
        response = here.post(
            "/password/",
            {
                "old_password": PASSWORD,
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
        )
        assert response.status_code == 302

    async def scenario():
        mine, theirs = _socket(session.pk, trainee, here), _socket(session.pk, trainee, elsewhere)
        await _open(mine)
        await _open(theirs)
        await sync_to_async(change_here)()
        gone = await _signed_out(theirs)
        await asyncio.sleep(0.3)  # time for a wrong close to arrive, had there been one
        assert await mine.receive_nothing(timeout=0.1)
        kept = await _still_open(mine)
        await mine.disconnect()
        return gone, kept

    (frame, closed), kept = run_coroutine(scenario())
    assert frame["type"] == "signed_out" and closed["code"] == SIGNED_OUT_CLOSE_CODE
    assert kept
    assert here.get("/").status_code == 200  # and the page too


def test_signing_out_closes_that_browsers_socket_only(published, trainee):
    session = session_start(trainee=trainee, scenario=published[0])
    leaving, staying = _browser("xiaoya"), _browser("xiaoya")

    async def scenario():
        left, kept = _socket(session.pk, trainee, leaving), _socket(session.pk, trainee, staying)
        await _open(left)
        await _open(kept)
        response = await sync_to_async(leaving.post)("/logout/")
        assert response.status_code == 302
        gone = await _signed_out(left)
        still = await _still_open(kept)
        await kept.disconnect()
        return gone, still

    (frame, closed), still = run_coroutine(scenario())
    assert frame["type"] == "signed_out" and closed["code"] == SIGNED_OUT_CLOSE_CODE
    assert still


def test_a_user_deactivated_in_the_admin_loses_the_open_socket(published, trainee, admin_user):
    session = session_start(trainee=trainee, scenario=published[0])
    browser, admin = _browser("xiaoya"), Client()
    admin.force_login(admin_user)
    change_url = f"/admin/accounts/user/{trainee.pk}/change/"
    form = admin.get(change_url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, (list, tuple))
    }
    data.update(
        {
            "is_active": "",
            "groups": [g.pk for g in trainee.groups.all()],
            "date_joined_0": trainee.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": trainee.date_joined.strftime("%H:%M:%S"),
        }
    )
    data.pop("password", None)
    data.pop("last_login", None)

    async def scenario():
        socket = _socket(session.pk, trainee, browser)
        await _open(socket)
        response = await sync_to_async(admin.post)(change_url, data)
        assert response.status_code == 302, response.context["adminform"].form.errors
        return await _signed_out(socket)

    frame, closed = run_coroutine(scenario())
    assert frame["type"] == "signed_out" and closed["code"] == SIGNED_OUT_CLOSE_CODE
    assert not User.objects.get(pk=trainee.pk).is_active
