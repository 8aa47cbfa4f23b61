"""The session socket: only its owner connects; replies are acknowledged once; a reconnect
with ?after=N gets exactly what it missed."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from roleplay.routing import websocket_urlpatterns
from roleplay.services.live import session_start
from tests.event_loops import run_coroutine

pytestmark = pytest.mark.django_db(transaction=True)


def _communicator(session_id: int, user, after: int = 0) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(
        URLRouter(websocket_urlpatterns), f"/ws/sessions/{session_id}/?after={after}"
    )
    communicator.scope["user"] = user
    return communicator


PROOF = "您好，欢迎光临！我们是品牌授权店，吊牌上有防伪码可以查询。"


async def _reply_then_typed_line(session, trainee, timeout: float = 20) -> dict:
    """Connect, send a reply that moves the buyer on, and return the line she types next."""
    owner = _communicator(session.pk, trainee)
    await owner.connect()
    await owner.receive_json_from(timeout=5)  # hello
    await owner.send_json_to(
        {"type": "reply", "client_id": "c-1", "text": PROOF, "events": [], "sent_t": 0}
    )
    ack = await owner.receive_json_from(timeout=5)
    assert ack["type"] == "ack" and ack["seq"] == 2
    pushed = await owner.receive_json_from(timeout=timeout)  # after the buyer "typed" it
    await owner.disconnect()
    return pushed["message"]


def test_only_the_owner_connects_and_replies_are_acknowledged_once(
    published, trainee, other_trainee, scheduled
):
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
        reply = {
            "type": "reply",
            "client_id": "c-1",
            "text": "您好，有授权书",
            "events": [],
            "sent_t": 0,
        }
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


def test_the_buyer_line_typed_after_a_reply_is_pushed_when_due(published, trainee, scheduled):
    from roleplay.models import Message

    session = session_start(trainee=trainee, scenario=published[0])

    line = run_coroutine(_reply_then_typed_line(session, trainee))
    stored = Message.objects.get(pk=line["id"])
    assert (line["seq"], line["role"]) == (3, "buyer")
    # Stamped when it was pushed, never before it was due; no Celery task was needed.
    assert stored.at >= stored.due_at and stored.seq == 3
    assert not [c for c in scheduled if c[0] == "deliver_task"]


def test_each_open_tab_gets_the_typed_line_once_in_sequence(published, trainee, scheduled):
    """The replying socket sends the line itself, right after its acknowledgement; another
    tab of the same session gets it through the group; neither gets it twice."""
    session = session_start(trainee=trainee, scenario=published[0])

    async def scenario():
        tab_a, tab_b = _communicator(session.pk, trainee), _communicator(session.pk, trainee)
        for tab in (tab_a, tab_b):
            await tab.connect()
            await tab.receive_json_from(timeout=5)  # hello
        await tab_a.send_json_to(
            {
                "type": "reply",
                "client_id": "c-1",
                "events": [],
                "text": "您好，欢迎光临！我们是品牌授权店。",
                "sent_t": 0,
            }
        )
        got_a = [
            await tab_a.receive_json_from(timeout=5),
            await tab_a.receive_json_from(timeout=20),
        ]
        got_b = await tab_b.receive_json_from(timeout=20)
        quiet = [await tab.receive_nothing(timeout=1) for tab in (tab_a, tab_b)]
        for tab in (tab_a, tab_b):
            await tab.disconnect()
        return got_a, got_b, quiet

    got_a, got_b, quiet = run_coroutine(scenario())
    assert [m["type"] for m in got_a] == ["ack", "message"]
    assert (got_a[0]["seq"], got_a[1]["message"]["seq"]) == (2, 3)
    assert got_b["type"] == "message" and got_b["message"] == got_a[1]["message"]
    assert quiet == [True, True]  # no second copy on either tab


def test_a_flood_of_replies_is_refused_at_the_socket(published, trainee, scheduled):
    """More than five replies a second: the sixth is refused at the socket, before the
    database is asked (which would have said the chat has ended); a resend of an
    acknowledged one is still acknowledged as before."""
    session = session_start(trainee=trainee, scenario=published[0])

    async def scenario():
        owner = _communicator(session.pk, trainee)
        await owner.connect()
        await owner.receive_json_from(timeout=5)  # hello
        answers = []
        # Five replies the buyer takes (the fifth closes the sale), then a sixth at once.
        texts = ["嗯嗯", "嗯嗯", "您好，我们是品牌授权店，吊牌有防伪码。", "嗯嗯", "嗯嗯", "在的"]
        for n, text in enumerate(texts):
            await owner.send_json_to(
                {"type": "reply", "client_id": f"c-{n}", "events": [], "text": text, "sent_t": 0}
            )
            answer = await owner.receive_json_from(timeout=5)
            while answer["type"] not in ("ack", "error"):  # a buyer line, the chat's end
                answer = await owner.receive_json_from(timeout=5)
            answers.append(answer)
        await owner.send_json_to(
            {"type": "reply", "client_id": "c-0", "events": [], "text": "嗯嗯", "sent_t": 0}
        )
        resent = await owner.receive_json_from(timeout=5)
        while resent["type"] not in ("ack", "error"):
            resent = await owner.receive_json_from(timeout=5)
        await owner.disconnect()
        return answers, resent

    answers, resent = run_coroutine(scenario())
    assert [a["type"] for a in answers] == ["ack"] * 5 + ["error"], answers
    assert answers[5]["client_id"] == "c-5"
    assert answers[5]["message"] in (
        "发送太频繁，请放慢一些。",
        "Too many messages at once; slow down.",
    )
    assert resent["type"] == "ack" and resent["seq"] == answers[0]["seq"]
    assert session.messages.filter(role="agent").count() == 5


def test_a_line_left_overdue_is_pushed_on_reconnect(published, trainee, scheduled):
    from datetime import timedelta

    from django.utils import timezone

    from roleplay.models import Message

    session = session_start(trainee=trainee, scenario=published[0])
    # The process that was to push this line stopped before it was due.
    orphan = Message.objects.create(
        session=session,
        role="buyer",
        text="还在吗？",
        kind="line",
        due_at=timezone.now() - timedelta(seconds=5),
    )

    async def scenario():
        owner = _communicator(session.pk, trainee, after=1)
        await owner.connect()
        hello = await owner.receive_json_from(timeout=5)
        await owner.disconnect()
        return hello

    hello = run_coroutine(scenario())
    assert [(m["seq"], m["text"]) for m in hello["messages"]] == [(2, "还在吗？")]
    orphan.refresh_from_db()
    assert orphan.at is not None and orphan.at > orphan.due_at  # stamped when really pushed


async def _answer(communicator: WebsocketCommunicator) -> dict:
    """The next acknowledgement or error (buyer lines and the chat's end are skipped)."""
    answer = await communicator.receive_json_from(timeout=5)
    while answer["type"] not in ("ack", "error"):
        answer = await communicator.receive_json_from(timeout=5)
    return answer


def test_a_frame_nested_too_deeply_gets_an_error_and_the_socket_stays_open(
    published, trainee, scheduled
):
    """Python's json recursed into 60,000 "[" and its RecursionError closed the socket
    with 1006; an empty frame raised in Channels. Each now gets an error frame."""
    session = session_start(trainee=trainee, scenario=published[0])
    deep_events = "[" * 1000 + "]" * 1000

    async def scenario():
        owner = _communicator(session.pk, trainee)
        await owner.connect()
        await owner.receive_json_from(timeout=5)  # hello
        refused = []
        for frame in (
            "[" * 60_000,
            '{"type": "reply", "client_id": "c-1", "text": "您好", "sent_t": 0, '
            f'"events": {deep_events}}}',
            "",
        ):
            # send_to() refuses an empty text; the frame goes in as the server passes it.
            await owner.send_input({"type": "websocket.receive", "text": frame})
            refused.append(await owner.receive_json_from(timeout=5))
        await owner.send_json_to(
            {
                "type": "reply",
                "client_id": "c-2",
                "text": "您好，有授权书",
                "events": [],
                "sent_t": 0,
            }
        )
        ack = await _answer(owner)
        await owner.disconnect()
        return refused, ack

    refused, ack = run_coroutine(scenario())
    assert [r["type"] for r in refused] == ["error"] * 3
    assert "nested deeper than 64 levels at line 1 column 65" in refused[0]["message"]
    assert "nested deeper than 64 levels" in refused[1]["message"]
    assert ack["type"] == "ack" and ack["client_id"] == "c-2"
    assert list(session.messages.filter(role="agent").values_list("client_id", flat=True)) == [
        "c-2"
    ]


def test_non_finite_telemetry_gets_an_error_and_the_socket_stays_open(
    published, trainee, scheduled
):
    """NaN in the events (Python's json reads it) failed the database's JSON check, the
    resend path then raised Message.DoesNotExist and the socket dropped without a close
    frame. Such a frame is refused as not JSON, saying where; nothing is stored."""
    session = session_start(trainee=trainee, scenario=published[0])
    frames = {
        "NaN": '{"type": "reply", "client_id": "c-1", "text": "您好", "sent_t": 500, '
        '"events": [{"t": NaN, "type": "insertText", "data": "您好"}]}',
        "Infinity": '{"type": "reply", "client_id": "c-2", "text": "您好", "sent_t": Infinity, '
        '"events": [{"t": 100, "type": "insertText", "data": "您好"}]}',
        "1e999": '{"type": "reply", "client_id": "c-3", "text": "您好", "sent_t": 500, '
        '"events": [{"t": 1e999, "type": "insertText", "data": "您好"}]}',
    }

    async def scenario():
        owner = _communicator(session.pk, trainee)
        await owner.connect()
        await owner.receive_json_from(timeout=5)  # hello
        refused = {}
        for name, frame in frames.items():
            await owner.send_to(text_data=frame)
            refused[name] = await owner.receive_json_from(timeout=5)
        await owner.send_json_to(
            {
                "type": "reply",
                "client_id": "c-4",
                "text": "您好，有授权书",
                "events": [{"t": 100, "type": "insertText", "data": "您好，有授权书"}],
                "sent_t": 500,
            }
        )
        ack = await _answer(owner)
        await owner.disconnect()
        return refused, ack

    refused, ack = run_coroutine(scenario())
    for name, frame in refused.items():
        assert frame["type"] == "error", frame
        assert f"{name} at line 1 column" in frame["message"]
        assert "is not a finite number" in frame["message"]
    assert ack["type"] == "ack" and ack["client_id"] == "c-4"
    assert list(session.messages.filter(role="agent").values_list("client_id", flat=True)) == [
        "c-4"
    ]


def test_a_reply_the_database_fails_gets_an_error_and_the_socket_stays_open(
    published, trainee, scheduled, monkeypatch
):
    """An IntegrityError other than a repeated client id sent the resend path looking for
    a reply that was never stored (Message.DoesNotExist), which dropped the socket. The
    page is told with the reply's client id, and the same reply sent again is stored."""
    from roleplay import consumers
    from roleplay.models import Message

    session = session_start(trainee=trainee, scenario=published[0])
    real = consumers.reply_receive
    failures = []

    def fails_once(**kwargs):
        if not failures:
            failures.append(kwargs["client_id"])
            raise Message.DoesNotExist("the resend path found no stored reply")
        return real(**kwargs)

    monkeypatch.setattr(consumers, "reply_receive", fails_once)
    reply = {
        "type": "reply",
        "client_id": "c-1",
        "text": "您好，有授权书",
        "events": [],
        "sent_t": 0,
    }

    async def scenario():
        owner = _communicator(session.pk, trainee)
        await owner.connect()
        await owner.receive_json_from(timeout=5)  # hello
        await owner.send_json_to(reply)
        error = await _answer(owner)
        await owner.send_json_to(reply)  # the page offers the text again; sent again
        ack = await _answer(owner)
        await owner.disconnect()
        return error, ack

    error, ack = run_coroutine(scenario())
    assert error["type"] == "error" and error["client_id"] == "c-1"
    assert error["message"] in (
        "您的回复未能保存，请重新发送。",
        "Your reply could not be saved; please send it again.",
    )
    assert ack["type"] == "ack" and ack["client_id"] == "c-1"
    assert session.messages.filter(role="agent").count() == 1


def test_a_locked_database_delays_the_typed_line_but_does_not_lose_it(
    published, trainee, scheduled, monkeypatch
):
    """SQLite locked past its busy timeout while the buyer's line is due: the delivery is
    retried until the database answers, and the line reaches the page (before, the asyncio
    task died and the page waited in silence until the buyer left)."""
    from roleplay.models import Message

    locked = _deliveries_locked(monkeypatch, times=3)
    session = session_start(trainee=trainee, scenario=published[0])

    line = run_coroutine(_reply_then_typed_line(session, trainee, timeout=30))
    assert locked["left"] == 0 and (line["seq"], line["role"]) == (3, "buyer")
    stored = Message.objects.get(pk=line["id"])
    assert stored.at is not None and stored.at >= stored.due_at


def test_a_line_counts_as_shown_when_sent_and_holding_back_receipts_gains_nothing(
    published, trainee, scheduled
):
    """The page never sends a receipt, yet the line it was sent on a live socket counts as
    shown at the moment it was sent: the buyer's wait cannot be stretched by a quiet page."""
    from roleplay.models import Message, Session

    session = session_start(trainee=trainee, scenario=published[0])

    async def scenario():
        line = await _reply_then_typed_line_kept_open(session, trainee)
        await asyncio.sleep(0.5)  # the stamp is written beside the socket, not before it
        return line

    line = run_coroutine(scenario())
    stored = Message.objects.get(pk=line["id"])
    assert Session.objects.get(pk=session.pk).page_confirms
    assert stored.shown_at is not None
    assert abs((stored.shown_at - stored.at).total_seconds()) < 1.0
    assert Message.objects.get(session=session, seq=1).shown_at is not None  # in the hello


def test_a_line_sent_to_a_quiet_socket_counts_once_the_page_speaks(published, trainee, scheduled):
    """A socket not heard from for a while may be dead (a half-open connection): a line
    sent on it counts as shown only when the page says something, and then as of when it
    was sent."""
    from roleplay import consumers
    from roleplay.models import Message

    session = session_start(trainee=trainee, scenario=published[0])

    async def scenario():
        owner = _communicator(session.pk, trainee)
        await owner.connect()
        await owner.receive_json_from(timeout=5)  # hello
        await asyncio.sleep(0.3)
        stamped_before = await _shown_at(session.pk, 1)
        return owner, stamped_before

    async def quiet_then_ping():
        original = consumers.LIVE_WINDOW_S
        consumers.LIVE_WINDOW_S = -1.0  # every socket counts as quiet
        try:
            owner, stamped_before = await scenario()
            await owner.send_json_to({"type": "ping"})
            assert (await owner.receive_json_from(timeout=5))["type"] == "pong"
            await asyncio.sleep(0.5)
            await owner.disconnect()
            return stamped_before
        finally:
            consumers.LIVE_WINDOW_S = original

    stamped_before = run_coroutine(quiet_then_ping())
    assert stamped_before is None
    first = Message.objects.get(session=session, seq=1)
    assert first.shown_at is not None and first.shown_at < first.at + _seconds(5)


def test_a_delivery_that_keeps_failing_tells_the_page_and_the_line_follows(
    published, trainee, scheduled, monkeypatch
):
    """Every retry of a round failed (the database stayed locked): the page hears the
    server is delayed (it shows it is reconnecting), the next round delivers the line, and
    the page hears the server is back."""

    from roleplay import consumers
    from simulator.background import Backoff

    real_retry = consumers.retry_async
    monkeypatch.setattr(
        consumers,
        "retry_async",
        lambda kind, call: real_retry(kind, call, Backoff(attempts=3, first_s=0.01)),
    )
    monkeypatch.setattr(consumers, "NEXT_ROUND_S", 0.1)
    _deliveries_locked(monkeypatch, times=4)
    session = session_start(trainee=trainee, scenario=published[0])

    async def scenario():
        owner = _communicator(session.pk, trainee)
        await owner.connect()
        await owner.receive_json_from(timeout=5)  # hello
        await owner.send_json_to(
            {"type": "reply", "client_id": "c-1", "text": PROOF, "events": [], "sent_t": 0}
        )
        frames = [await owner.receive_json_from(timeout=5)]
        while frames[-1].get("server") != "ok":
            frames.append(await owner.receive_json_from(timeout=30))
        await owner.disconnect()
        return frames

    frames = run_coroutine(scenario())
    kinds = [(f["type"], f.get("server") or f.get("message", {}).get("seq")) for f in frames]
    assert kinds == [("ack", None), ("status", "delayed"), ("message", 3), ("status", "ok")]


def _seconds(n: float) -> timedelta:
    return timedelta(seconds=n)


async def _shown_at(session_id: int, seq: int):
    from roleplay.models import Message

    return await sync_to_async(
        lambda: Message.objects.get(session_id=session_id, seq=seq).shown_at
    )()


async def _reply_then_typed_line_kept_open(session, trainee) -> dict:
    owner = _communicator(session.pk, trainee)
    await owner.connect()
    await owner.receive_json_from(timeout=5)  # hello
    await owner.send_json_to(
        {"type": "reply", "client_id": "c-1", "text": PROOF, "events": [], "sent_t": 0}
    )
    assert (await owner.receive_json_from(timeout=5))["type"] == "ack"
    pushed = await owner.receive_json_from(timeout=20)
    await asyncio.sleep(0.5)
    await owner.disconnect()
    return pushed["message"]


def _deliveries_locked(monkeypatch, times: int) -> dict:
    """The socket's line deliveries fail ``times`` times as SQLite does when locked past its
    busy timeout, then reach the database; the dict counts the failures still to come."""
    from django.db import OperationalError

    from roleplay import consumers
    from roleplay.services import lines

    locked = {"left": times}
    real_deliver = lines.message_deliver

    def locked_then_fine(**kwargs):
        if locked["left"]:
            locked["left"] -= 1
            raise OperationalError("database is locked")
        return real_deliver(**kwargs)

    monkeypatch.setattr(consumers, "message_deliver", locked_then_fine)
    return locked
