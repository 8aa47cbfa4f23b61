"""The trainee's socket for one session: replies in, buyer lines and acknowledgements out.

Only the session's owner connects. On (re)connect the page says the last sequence number it
has; everything delivered after it is sent again, so nothing is lost or shown twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from datetime import datetime
from urllib.parse import parse_qs

from asgiref.sync import sync_to_async
from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import DatabaseError, close_old_connections
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.selectors import sign_in_holds
from realtime.sign_ins import SIGNED_OUT_CLOSE_CODE, user_group
from roleplay.payloads import group_name
from roleplay.selectors import session_backlog, session_owned
from roleplay.services.after_commit import AfterCommit, Delivery
from roleplay.services.lines import (
    lines_shown,
    message_deliver,
    session_attach,
    session_catch_up,
)
from roleplay.services.live import (
    MAX_REPLIES_PER_SECOND,
    SLOW_DOWN,
    reply_receive,
    session_close,
)
from simulator.background import GaveUp, record_failure, retry_async
from simulator.json_input import JSONInputError, json_parse

MAX_FRAME_BYTES = 64 * 1024
NOT_STORED = gettext_lazy("Your reply could not be saved; please send it again.")
NOT_CLOSED = gettext_lazy("The conversation could not be closed; please try again.")
SIGNED_OUT = gettext_lazy(
    "You have been signed out (your password was changed, or you signed out elsewhere). "
    "Sign in again to continue; your conversation is kept."
)
# A line sent on a socket heard from this recently counts as shown when sent (the page
# sends a heartbeat every 10 s); on a quieter socket it counts once the page says anything
# more, at the time it was sent (``roleplay.holds``).
LIVE_WINDOW_S = 25.0
# After a delivery or a receipt gave up (every retry failed), the next round starts after
# this long, for as long as the page is connected: the page is told meanwhile.
NEXT_ROUND_S = 3.0

logger = logging.getLogger(__name__)


def _in_thread(function, **kwargs):
    close_old_connections()
    try:
        return function(**kwargs)
    finally:
        close_old_connections()  # a pooled connection goes back to its pool


# Replies of different sessions run in parallel threads; the session row lock keeps the
# replies of one session in order (and this consumer handles one frame at a time).
_call = sync_to_async(_in_thread, thread_sensitive=False)
# Celery publishes block on the broker: they run in a thread, after the acknowledgement.
_send_tasks = sync_to_async(AfterCommit.send_tasks, thread_sensitive=False)
# Background tasks of the sockets (deliveries waiting for their time, shown-line stamps):
# kept here so the loop does not drop them while they run.
_background: set[asyncio.Task] = set()


async def _push_all(pushes: list[tuple[int, dict]]) -> None:
    layer = get_channel_layer()
    for session_id, payload in pushes:
        await layer.group_send(group_name(session_id), payload)


async def _deliver_when_due(consumer: SessionConsumer, delivery: Delivery) -> None:
    """The buyer finished typing: stamp the line and push it (once; see message_deliver).

    A transient database error (SQLite locked past its busy timeout) is retried with
    backoff, outside the socket's ``in_order`` lock so replies are not held up. When every
    attempt of a round fails, the failure is counted where the diagnostics look, the page
    is told the server is not answering, and a new round starts while the page is
    connected; meanwhile the line stays unstamped, so the buyer's clock stands still
    (``roleplay.holds``). If the socket closes, the page's reconnect or the session's next
    wake-up pushes the line. A task that dies would leave it to chance."""
    await asyncio.sleep(max(0.0, (delivery.due - timezone.now()).total_seconds()))
    await consumer.keep_trying(
        "session.line_delivery", lambda: _deliver_in_order(consumer, delivery)
    )


async def _deliver_in_order(consumer: SessionConsumer, delivery: Delivery) -> None:
    async with consumer.in_order:
        after = await _call(
            message_deliver, message_id=delivery.message_id, session_id=delivery.session_id
        )
        await consumer.push(after.pushes)


def _plan_deliveries(consumer: SessionConsumer, after: AfterCommit) -> None:
    for delivery in after.deliveries:
        task = asyncio.get_running_loop().create_task(_deliver_when_due(consumer, delivery))
        _background.add(task)
        task.add_done_callback(_background.discard)


def _connect_backlog(*, session_id: int, after: int, user) -> tuple[list[dict], dict] | None:
    """On connect: None when ``user`` does not own the session; else lines left overdue by
    a process that stopped are pushed first (to the group this socket has joined), then
    the backlog is read, so it is complete."""
    if not session_owned(session_id=session_id, user=user):
        return None
    session_attach(session_id=session_id)
    session_catch_up(session_id=session_id).dispatch()
    return session_backlog(session_id=session_id, after=after)


class SessionConsumer(AsyncJsonWebsocketConsumer):
    """The socket's own writes (a reply and its acknowledgement, a typed line it delivers)
    go out in the order they were committed: each holds ``in_order`` from its transaction
    until it is on the socket, so the page sees sequence numbers without gaps. The same
    lines still go to the session's group, for its other sockets (another tab); this one
    skips the copies it already sent."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.in_order = asyncio.Lock()
        self.open = False
        self._sent_directly: set[int] = set()
        # When this socket's last acknowledged replies arrived, with their client ids.
        self._acked: deque[tuple[float, str]] = deque(maxlen=MAX_REPLIES_PER_SECOND)
        # The buyer's lines sent on this socket: to stamp as shown, and those waiting for
        # the page to say something first (sequence number -> when sent).
        self._shown: dict[int, datetime] = {}
        self._unconfirmed: dict[int, datetime] = {}
        self._confirming: asyncio.Task | None = None
        self._heard = 0.0  # when the page last sent a frame (monotonic)
        self._in_trouble = 0  # rounds of background work that gave up, not yet recovered

    def _sent(self, message: dict) -> None:
        """A line went out on this socket: note it, to be stamped as shown."""
        if message.get("role") == "agent" or not message.get("seq"):
            return
        if time.monotonic() - self._heard <= LIVE_WINDOW_S:
            self._shown[message["seq"]] = timezone.now()
            self._confirm_soon()
        else:
            self._unconfirmed.setdefault(message["seq"], timezone.now())

    def _heard_from(self) -> None:
        self._heard = time.monotonic()
        if self._unconfirmed:
            self._shown.update(self._unconfirmed)
            self._unconfirmed.clear()
            self._confirm_soon()

    def _confirm_soon(self) -> None:
        if self._confirming is None or self._confirming.done():
            self._confirming = asyncio.get_running_loop().create_task(self._confirm())
            _background.add(self._confirming)
            self._confirming.add_done_callback(_background.discard)

    async def _confirm(self) -> None:
        """Stamp the noted lines as shown, in one write per batch (the socket goes on)."""
        while self._shown:
            batch, self._shown = self._shown, {}

            async def write(batch=batch) -> None:
                await _call(lines_shown, session_id=self.session_id, shown=batch)

            if not await self.keep_trying("session.lines_shown", write, rounds=5):
                return  # the lines stay unstamped: not held against the trainee

    async def keep_trying(self, kind: str, call, rounds: int | None = None) -> bool:
        """Run ``call`` with retries; after a round that gave up, tell the page and start
        another while it is connected (at most ``rounds`` rounds). True once it ran."""
        done_rounds = 0
        while True:
            try:
                await retry_async(kind, call)
            except GaveUp:
                pass  # recorded by retry_async
            except Exception as exc:
                logger.exception("%s for session %s failed", kind, self.session_id)
                record_failure(kind, exc)
                return False
            else:
                if self._in_trouble:
                    self._in_trouble = 0
                    await self._say({"type": "status", "server": "ok"})
                return True
            done_rounds += 1
            self._in_trouble += 1
            await self._say({"type": "status", "server": "delayed"})
            if not self.open or (rounds is not None and done_rounds >= rounds):
                return False
            await asyncio.sleep(NEXT_ROUND_S)

    async def _say(self, frame: dict) -> None:
        if self.open:
            try:
                await self.send_json(frame)
            except OSError:
                self.open = False

    async def push(self, pushes: list[tuple[int, dict]]) -> None:
        """Send this session's new lines on this socket now, then to the group."""
        for session_id, payload in pushes:
            if (
                self.open
                and session_id == getattr(self, "session_id", None)
                and payload["type"] == "session.message"
            ):
                try:
                    await self.send_json({"type": "message", "message": payload["message"]})
                except OSError:  # the client is gone (uvicorn says so before the event)
                    self.open = False
                else:
                    self._sent_directly.add(payload["message"]["seq"])
                    self._sent(payload["message"])
        await _push_all(pushes)

    async def dispatch(self, message: dict) -> None:
        # Channels closes stale database connections before every message, a hop to the
        # single sync thread that all sockets of the process queue for. This consumer uses
        # the database only inside ``_call``, which closes them itself.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self) -> None:
        user = self.scope.get("user")
        self.session_id = int(self.scope["url_route"]["kwargs"]["session_id"])
        if user is None or not user.is_authenticated:
            await self.close()
            return
        query = parse_qs(self.scope.get("query_string", b"").decode())
        try:
            after = max(0, int(query.get("after", ["0"])[0]))
        except ValueError:
            after = 0
        # Joined before the backlog is read, so nothing pushed in between is missed (a
        # line in both is shown once: the page keys messages by sequence number).
        await self.channel_layer.group_add(group_name(self.session_id), self.channel_name)
        backlog = await _call(_connect_backlog, session_id=self.session_id, after=after, user=user)
        if backlog is None:
            await self.channel_layer.group_discard(group_name(self.session_id), self.channel_name)
            del self.session_id
            await self.close()  # someone else's session: the handshake is refused
            return
        await self.accept()
        self.open = True
        self._heard = time.monotonic()
        self.user_id = user.pk
        self.sign_in = getattr(self.scope.get("session"), "session_key", None)
        await self.channel_layer.group_add(user_group(user.pk), self.channel_name)
        messages, status = backlog
        await self.send_json(
            {"type": "hello", "session": self.session_id, "messages": messages, **status}
        )
        for message in messages:
            self._sent(message)

    async def disconnect(self, code) -> None:
        self.open = False
        if hasattr(self, "session_id"):
            await self.channel_layer.group_discard(group_name(self.session_id), self.channel_name)
        if hasattr(self, "user_id"):
            await self.channel_layer.group_discard(user_group(self.user_id), self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        # Every frame gets an answer and the socket stays open: a frame that cannot be
        # read is the sender's problem, not a reason to drop the trainee's conversation.
        if not text_data or len(text_data.encode()) > MAX_FRAME_BYTES:
            await self.send_json({"type": "error", "message": "frame empty, too large or not text"})
            return
        self._heard_from()  # the page is there: what it was sent, it has
        try:
            content = await self.decode_json(text_data)
        except JSONInputError as exc:
            why = _("The message is not valid JSON: %(why)s") % {"why": exc}
            await self.send_json({"type": "error", "message": why})
            return
        await self.receive_json(content, **kwargs)

    @classmethod
    async def decode_json(cls, text_data):
        # Bounded nesting (Python's json recurses) and no NaN/Infinity (JSON has none).
        return json_parse(text_data)

    async def receive_json(self, content, **kwargs) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "ping":
            await self.send_json({"type": "pong"})
        elif kind == "seen":
            pass  # a receipt: hearing from the page was the point (``receive``)
        elif kind == "sync":
            await self._resync(content)
        elif kind == "reply":
            await self._reply(content)
        elif kind == "close":
            await self._close_chat(content)
        else:
            await self.send_json({"type": "error", "message": "unknown or malformed message"})

    async def _resync(self, content: dict) -> None:
        # The page saw a gap in the sequence (a push was dropped): resend from there.
        after = content.get("after")
        after = after if isinstance(after, int) and not isinstance(after, bool) else 0
        # A resync on an open socket needs no catch-up: this process is alive.
        messages, status = await _call(
            session_backlog, session_id=self.session_id, after=max(0, after)
        )
        await self.send_json(
            {"type": "hello", "session": self.session_id, "messages": messages, **status}
        )
        for message in messages:
            self._sent(message)

    async def _reply(self, content: dict) -> None:
        client_id, received = content.get("client_id"), time.monotonic()
        if self._too_fast(client_id, received):
            await self.send_json(
                {"type": "error", "client_id": client_id, "message": str(SLOW_DOWN)}
            )
            return
        async with self.in_order:
            try:
                result = await _call(
                    reply_receive,
                    session_id=self.session_id,
                    user=self.scope["user"],
                    client_id=client_id,
                    text=content.get("text"),
                    events=content.get("events"),
                    sent_t=content.get("sent_t"),
                )
            except PermissionDenied:
                await self.close()
                return
            except (DatabaseError, ObjectDoesNotExist):
                # Its transaction rolled back, so nothing was stored. The page is told with
                # the client id (it offers the text again and may resend it under the same
                # id); the socket stays open instead of dropping without a close frame.
                logger.exception("reply %r to session %s not stored", client_id, self.session_id)
                await self.send_json(
                    {"type": "error", "client_id": client_id, "message": str(NOT_STORED)}
                )
                return
            if result.ok:
                # Committed, so acknowledged first; the buyer's reaction is pushed just after.
                if not self._was_acked(client_id):  # a resend is not a new reply
                    self._acked.append((received, client_id))
                await self.send_json(result.ack)
            else:
                await self.send_json(
                    {"type": "error", "client_id": client_id, "message": result.error}
                )
            await self.push(result.after.pushes)
        _plan_deliveries(self, result.after)
        if result.after.tasks:
            await _send_tasks(result.after)

    async def _close_chat(self, content: dict) -> None:
        """结束会话 or 转接主管: the chat ends, scored as the action says."""
        async with self.in_order:  # after any reply still being stored
            try:
                result = await _call(
                    session_close,
                    session_id=self.session_id,
                    user=self.scope["user"],
                    action=content.get("action"),
                )
            except PermissionDenied:
                await self.close()
                return
            except (DatabaseError, ObjectDoesNotExist):
                logger.exception("closing session %s failed", self.session_id)
                await self.send_json({"type": "error", "message": str(NOT_CLOSED)})
                return
            if not result.ok:
                await self.send_json({"type": "error", "message": result.error})
            await self.push(result.after.pushes)
        _plan_deliveries(self, result.after)
        if result.after.tasks:
            await _send_tasks(result.after)

    def _too_fast(self, client_id, now: float) -> bool:
        """The rate limit checked at the socket, before any database work: a client
        flooding replies is refused cheaply. The session row's own check stays the rule
        (it covers every socket); a resend of an acknowledged reply always passes."""
        return (
            len(self._acked) == MAX_REPLIES_PER_SECOND
            and self._acked[0][0] >= now - 1.0
            and not self._was_acked(client_id)
        )

    def _was_acked(self, client_id) -> bool:
        return any(known == client_id for _, known in self._acked)

    async def session_message(self, event: dict) -> None:
        seq = event["message"]["seq"]
        if seq in self._sent_directly:
            self._sent_directly.discard(seq)  # this socket sent it already, in order
            return
        await self.send_json({"type": "message", "message": event["message"]})
        self._sent(event["message"])

    async def session_ended(self, event: dict) -> None:
        await self.send_json({"type": "ended", **{k: v for k, v in event.items() if k != "type"}})

    async def user_sign_in_changed(self, event: dict) -> None:
        """The user's password changed, or they signed out somewhere: this socket stays only
        if its own sign-in still holds (``realtime.sign_ins``)."""
        # This browser changed the password and kept its sign-in, under a new key.
        self.sign_in = event.get("renewed", {}).get(self.sign_in, self.sign_in)
        holds = await _call(sign_in_holds, session_key=self.sign_in, user_id=self.user_id)
        if not holds:
            await self.send_json({"type": "signed_out", "message": str(SIGNED_OUT)})
            await self.close(code=SIGNED_OUT_CLOSE_CODE)

    async def session_scored(self, event: dict) -> None:
        await self.send_json({"type": "scored", "session": event["session"]})
