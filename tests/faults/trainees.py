"""Simulated trainees on the role-play socket, behaving as the workbench page does
(roleplay/static/roleplay/workbench.js), with a log of everything they saw.

Like the page, a trainee keeps unacknowledged replies and sends them again, under the same
client id, whenever the socket opens; reconnects with ``?after=<last unbroken seq>``;
gives a gap half a second before asking for a resync; keys lines by sequence number. Unlike
a person it also resends a reply the server could not store under the same client id
(stricter than the page, which offers the text again), so idempotency is exercised.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

from websockets.asyncio.client import connect
from websockets.exceptions import WebSocketException

CONFIRM = "确认，亲，这款有货的哦"
DEAL = "成交，亲，已经为您备注好了"
# How long a trainee stays after the report is ready (longer than the buyer types a line).
LINGER_S = 4.0


@dataclass(frozen=True)
class Plan:
    """How a trainee behaves: replies every ``every_s`` seconds (None: stays silent), and
    after ``close_after`` replies closes the deal."""

    every_s: float | None
    close_after: int | None = None


@dataclass
class TraineeLog:
    session_id: int
    plan: Plan
    sent: dict[str, str] = field(default_factory=dict)  # client id -> text
    sends: Counter = field(default_factory=Counter)  # client id -> frames sent with it
    acks: dict[str, list[dict]] = field(default_factory=dict)
    refused: dict[str, list[str]] = field(default_factory=dict)
    pushes: Counter = field(default_factory=Counter)  # seq -> "message" frames with it
    held: dict[int, dict] = field(default_factory=dict)  # what the page shows, by seq
    connects: int = 0
    connect_failures: int = 0
    last_error: str = ""
    resyncs: int = 0
    status: str = "active"
    end_reason: str = ""
    scored: bool = False
    pending: dict[str, str] = field(default_factory=dict)

    @property
    def last_seq(self) -> int:
        seq = 0
        while seq + 1 in self.held:
            seq += 1
        return seq

    @property
    def done(self) -> bool:
        return self.status == "ended" and self.scored


class Trainee:
    def __init__(self, ws_url: str, origin: str, cookie: str, log: TraineeLog) -> None:
        self.ws_url, self.origin, self.cookie, self.log = ws_url, origin, cookie, log
        self.ws = None
        self._gap_check: asyncio.Task | None = None

    async def run(self, stop_at: float) -> TraineeLog:
        talker = asyncio.create_task(self._talk(stop_at))
        retry = 0
        try:
            while not self.log.done and time.monotonic() < stop_at:
                try:
                    async with connect(
                        f"{self.ws_url}/ws/sessions/{self.log.session_id}/"
                        f"?after={self.log.last_seq}",
                        origin=self.origin,
                        additional_headers={"Cookie": f"sessionid={self.cookie}"},
                        open_timeout=5,
                        ping_interval=None,
                        max_queue=None,
                    ) as ws:
                        self.ws, retry = ws, 0
                        self.log.connects += 1
                        for client_id in list(self.log.pending):
                            await self._send_reply(client_id)
                        await self._read(ws, stop_at)
                except (OSError, WebSocketException, TimeoutError) as error:
                    self.log.connect_failures += 1
                    self.log.last_error = repr(error)
                finally:
                    self.ws = None
                if not self.log.done:
                    retry = min(retry + 1, 6)
                    await asyncio.sleep(0.3 * retry)  # the page's backoff
        finally:
            talker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await talker
        return self.log

    async def _read(self, ws, stop_at: float) -> None:
        linger_until = None
        while True:
            if self.log.done and linger_until is None:
                # As the page stays open: a line the buyer was still typing arrives later.
                linger_until = min(stop_at, time.monotonic() + LINGER_S)
            until = linger_until or stop_at
            try:
                raw = await asyncio.wait_for(ws.recv(), max(0.01, until - time.monotonic()))
            except TimeoutError:
                return
            self._handle(json.loads(raw))

    def _handle(self, msg: dict) -> None:
        log = self.log
        kind = msg.get("type")
        if kind == "hello":
            for message in msg["messages"]:
                log.held.setdefault(message["seq"], message)
            log.status = msg["status"]
            log.end_reason = msg.get("end_reason") or log.end_reason
            log.scored = msg["scored"]
            # Replies the server already has (stored before a drop) count as acknowledged.
            for message in log.held.values():
                log.pending.pop(message.get("client_id") or "", None)
        elif kind == "message":
            message = msg["message"]
            log.pushes[message["seq"]] += 1
            log.held.setdefault(message["seq"], message)
            self._watch_gap()
            self._send_soon({"type": "seen", "seq": message["seq"]})
        elif kind == "ack":
            log.acks.setdefault(msg["client_id"], []).append(msg)
            log.held.setdefault(
                msg["seq"], {"seq": msg["seq"], "role": "agent", "client_id": msg["client_id"]}
            )
            log.pending.pop(msg["client_id"], None)
        elif kind == "error" and msg.get("client_id") in log.sent:
            client_id = msg["client_id"]
            log.refused.setdefault(client_id, []).append(msg["message"])
            if log.status == "ended":
                log.pending.pop(client_id, None)
            else:  # not stored (the database was away): the same reply again, soon
                asyncio.get_running_loop().call_later(
                    1.0, lambda: asyncio.ensure_future(self._send_reply(client_id))
                )
        elif kind == "ended":
            log.status, log.end_reason = "ended", msg.get("reason", "")
        elif kind == "scored":
            log.scored = True
        # pong, and errors without a client id (a "seen" the server does not know yet)

    def _watch_gap(self) -> None:
        if self._gap_check is None or self._gap_check.done():
            self._gap_check = asyncio.ensure_future(self._resync_if_still_missing())

    async def _resync_if_still_missing(self) -> None:
        await asyncio.sleep(0.5)  # a line may just be late, not lost
        last = self.log.last_seq
        if any(seq > last + 1 for seq in self.log.held) and self.ws is not None:
            self.log.resyncs += 1
            await self._send({"type": "sync", "after": last})

    def _send_soon(self, frame: dict) -> None:
        asyncio.ensure_future(self._send(frame))

    async def _send(self, frame: dict) -> bool:
        ws = self.ws
        if ws is None:
            return False
        try:
            await ws.send(json.dumps(frame))
        except (OSError, WebSocketException):
            return False
        return True

    async def _send_reply(self, client_id: str) -> None:
        if client_id not in self.log.pending:
            return
        frame = {
            "type": "reply",
            "client_id": client_id,
            "text": self.log.pending[client_id],
            "events": [],
            "sent_t": 0,
        }
        if await self._send(frame):
            self.log.sends[client_id] += 1

    async def _talk(self, stop_at: float) -> None:
        """Reply at the plan's rhythm while the chat is on; ping now and then."""
        plan, replies = self.log.plan, 0
        next_reply = time.monotonic() + (plan.every_s or 0)
        while time.monotonic() < stop_at and self.log.status != "ended":
            await asyncio.sleep(0.25)
            if self.ws is not None and int(time.monotonic() * 4) % 12 == 0:
                await self._send({"type": "ping"})
            if plan.every_s is None or time.monotonic() < next_reply:
                continue
            next_reply += plan.every_s
            replies += 1
            text = DEAL if plan.close_after and replies > plan.close_after else CONFIRM
            client_id = uuid.uuid4().hex
            self.log.sent[client_id] = text
            self.log.pending[client_id] = text
            await self._send_reply(client_id)


async def run_trainees(trainees: list[Trainee], stop_at: float) -> list[TraineeLog]:
    return list(await asyncio.gather(*(trainee.run(stop_at) for trainee in trainees)))
