"""What the load benchmarks and the load test share: the world they set up (scenario,
trainees with signed-in sessions, quiz takers, an HR user with a cohort), the simulated
trainee on the role-play WebSocket, the quiz taker and the HR roster import over HTTP, and
the counts taken at the end (lines lost or duplicated, quiz attempts stored, locked errors).

The clients speak the page's protocol: the workbench socket (hello with the backlog, reply
-> ack, buyer lines by sequence number, resync after a gap, resend of a reply that was not
stored under the same client id), the quiz API and the onboarding pages HR uses.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import random
import re
import socket
import subprocess
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOCKED = "database is locked"

SCENARIO = """
format: 1
slug: bench-ping-pong
title: 压测：一问一答
shop: yueyi-apparel
products: [double-face-wool-coat]
persona:
  name: 压测买家
  motive: 求实
  knowledge: none
  price_attitude: generous
  patience_s: 1800
  nudge_after_s: {nudge}
  nudges: [在吗？]
  typing_cpm: 600
start: a
steps:
  a:
    buyer: [请问有货吗？]
    branches:
      - {{when: {{keywords: [确认]}}, goto: b}}
      - {{when: {{tries: 20}}, end: 流失}}
  b:
    buyer: [好的，还有别的吗？]
    branches:
      - {{when: {{keywords: [确认]}}, goto: a}}
      - {{when: {{tries: 20}}, end: 流失}}
"""
REPLY = "确认，亲，有货的哦"
COHORT_NAME = "压测批次"


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def spawn(
    args: list[str], env: dict, pass_fds: tuple[int, ...] = (), log: Path | None = None
) -> subprocess.Popen:
    """Start a process of the stack; its output goes to ``log`` (kept to be searched for
    errors afterwards) or nowhere."""
    output = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - child owns it
    try:
        return subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, pass_fds=pass_fds
        )
    finally:
        if log:
            output.close()


def count_in_logs(logs: list[Path], text: str = LOCKED) -> int:
    """Lines of these logs that contain ``text`` (a traceback's lines count once each)."""
    found = 0
    for path in logs:
        if path.exists():
            with path.open(errors="replace") as lines:
                found += sum(text in line for line in lines)
    return found


# --- the world ----------------------------------------------------------------------------


def prepare_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        # A fresh database every run: the benchmark owns it and keeps nothing.
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def session_cookie(user) -> str:
    """A signed-in Django session for ``user``, as the login page would leave it."""
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store["_auth_user_id"] = str(user.pk)
    # A backend not in AUTHENTICATION_BACKENDS would make the session anonymous.
    store["_auth_user_backend"] = settings.AUTHENTICATION_BACKENDS[0]
    store["_auth_user_hash"] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def publish_scenario(nudge_s: int):
    """The catalogue and a published ping-pong scenario (a reply with 确认 moves it on)."""
    from accounts.roles import Role
    from accounts.services import user_create
    from catalog.services import catalog_import
    from scenarios.services import scenario_create, scenario_publish

    catalog_import(sorted((ROOT / "content" / "catalog").glob("*.yaml")))
    trainer = user_create(username="bench-trainer", role=Role.TRAINER, password=None)
    scenario = scenario_create(actor=trainer, yaml_text=SCENARIO.format(nudge=nudge_s))
    scenario_publish(actor=trainer, scenario=scenario)
    return scenario


def trainees_signed_in(count: int, prefix: str = "bench") -> list[tuple[object, str]]:
    """``count`` trainees, each with a session cookie."""
    from accounts.roles import Role
    from accounts.services import user_create

    users = []
    for n in range(count):
        user = user_create(username=f"{prefix}{n}", role=Role.TRAINEE, password=None)
        users.append((user, session_cookie(user)))
    return users


def start_sessions(scenario, users) -> list[tuple[int, str]]:
    from roleplay.services.live import session_start

    return [(session_start(trainee=user, scenario=scenario).pk, key) for user, key in users]


def first_quiz_id() -> int:
    """The quiz of the shipped course's first module (open to every trainee), imported."""
    from courses.importing import course_import
    from courses.models import Quiz

    course_import(ROOT / "content" / "courses" / "cs-onboarding" / "course.yaml")
    return Quiz.objects.filter(module__prerequisites=None).order_by("module__position")[0].pk


def quiz_takers(count: int) -> list[str]:
    """API tokens of ``count`` trainees who will each take the quiz once."""
    from rest_framework.authtoken.models import Token

    return [Token.objects.create(user=user).key for user, _ in trainees_signed_in(count, "quiz")]


def hr_signed_in() -> str:
    """An HR user's session cookie, and the cohort the roster's rows name."""
    from accounts.roles import Role
    from accounts.services import cohort_create, user_create

    cohort_create(name=COHORT_NAME, code="bench-cohort")
    return session_cookie(user_create(username="bench-hr", role=Role.HR, password=None))


def roster_xlsx(rows: int) -> bytes:
    """A workbook as HR exports it: header 姓名, 工号, 店铺, 批次, then ``rows`` new hires."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["姓名", "工号", "店铺", "批次"])
    for n in range(rows):
        sheet.append([f"新员工{n:05d}", f"E{n:06d}", "悦衣坊女装旗舰店", COHORT_NAME])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- the role-play trainee ----------------------------------------------------------------


def typing_events(text: str, cpm: float, rng: random.Random) -> tuple[list[dict], float]:
    """Input events as the page records them for ``text`` typed through an IME at about
    ``cpm`` characters a minute (a composition per character, now and then a backspace),
    and the page's clock (ms) at sending."""
    events, t = [], 1000.0
    for char in text:
        t += rng.uniform(0.5, 1.5) * 60_000 / cpm
        events.append({"t": round(t), "type": "insertCompositionText", "data": char})
        if rng.random() < 0.05:
            t += 150
            events.append({"t": round(t), "type": "deleteContentBackward", "data": ""})
            t += 200
            events.append({"t": round(t), "type": "insertCompositionText", "data": char})
    return events, t + rng.uniform(100, 400)


@dataclass
class Pace:
    """How a simulated trainee replies: every ``every_s`` seconds (uniformly spread by
    ``spread``), with typing telemetry at ``typing_cpm``, or as soon as acknowledged
    (``saturate``); a ``silent`` trainee never replies (the buyer nudges them)."""

    every_s: float = 2.0
    spread: float = 0.0
    typing_cpm: float | None = None
    saturate: bool = False
    silent: bool = False
    resends: int = 5  # a reply the server could not store is offered again, as the page does


@dataclass
class TraineeStats:
    ack_ms: list[float] = field(default_factory=list)
    errors: int = 0
    not_stored: int = 0  # replies refused with a client id (resent under the same id)
    unacked: int = 0  # replies never acknowledged, resends included
    syncs: int = 0
    reconnects: int = 0  # sockets that dropped (the page then reconnects)
    seen: dict[int, dict[int, int]] = field(default_factory=dict)
    pushed: dict[int, dict[int, int]] = field(default_factory=dict)
    closed: dict[int, float] = field(default_factory=dict)


class _Trainee:
    """One trainee's page: what it has (by sequence number) and the reply in flight. It
    outlives its sockets: a dropped socket is reconnected with ``?after=`` the last line
    the page has without a gap, and the reply in flight is resent under its client id."""

    def __init__(self, base, origin, session_id, cookie, stop_at, pace, stats) -> None:
        self.base, self.origin, self.session_id, self.cookie = base, origin, session_id, cookie
        self.stop_at, self.pace, self.stats = stop_at, pace, stats
        self.rng = random.Random(session_id)
        self.seen: dict[int, int] = {}  # sequence numbers the page has (pushed, acked, resent)
        self.pushed: dict[int, int] = {}  # pushes per number: more than one is a duplicate
        self.sent: dict[str, float] = {}  # client id -> when first sent
        self.answer: dict[str, str] = {}  # client id -> "ack" or "error"
        self.answered = asyncio.Event()
        self.last_heard = time.perf_counter()
        self.syncing = 0  # resync requests not answered yet
        self.waiting_gap = False
        self.tasks: set[asyncio.Task] = set()
        self.in_flight: tuple[str, list, float] | None = None
        self.next_at = time.perf_counter() + self.rng.uniform(0, pace.every_s)

    def contiguous(self) -> int:
        n = 0
        while n + 1 in self.seen:
            n += 1
        return n

    async def run(self) -> None:
        from websockets.asyncio.client import connect
        from websockets.exceptions import ConnectionClosed, InvalidStatus

        while True:
            try:
                async with connect(
                    f"{self.base}/ws/sessions/{self.session_id}/?after={self.contiguous()}",
                    origin=self.origin,
                    additional_headers={"Cookie": f"sessionid={self.cookie}"},
                    open_timeout=60,
                    ping_interval=None,
                    max_queue=None,
                ) as ws:
                    reader = asyncio.create_task(self.read(ws))
                    try:
                        await self.practise(ws)
                        await self.drain()
                        break
                    finally:
                        reader.cancel()
            except (ConnectionClosed, InvalidStatus, OSError, TimeoutError):
                self.stats.reconnects += 1
                if time.perf_counter() > self.stop_at + 60:
                    break
                await asyncio.sleep(1.0)  # the page waits a moment before reconnecting
        self.stats.seen[self.session_id] = self.seen
        self.stats.pushed[self.session_id] = self.pushed
        self.stats.closed[self.session_id] = time.time()

    async def read(self, ws) -> None:
        from websockets.exceptions import ConnectionClosed

        with contextlib.suppress(ConnectionClosed):
            async for raw in ws:
                self.last_heard = time.perf_counter()
                self.on_frame(ws, json.loads(raw))

    def on_frame(self, ws, msg: dict) -> None:
        if msg["type"] == "hello":
            self.syncing = max(0, self.syncing - 1)
            for m in msg["messages"]:
                self.seen[m["seq"]] = 1  # a resync repeats what the page has: keyed by seq
        elif msg["type"] == "message":
            seq = msg["message"]["seq"]
            self.seen[seq] = 1
            self.pushed[seq] = self.pushed.get(seq, 0) + 1
            if any(s not in self.seen for s in range(1, seq)) and not self.waiting_gap:
                self.waiting_gap = True
                task = asyncio.create_task(self.resync_if_still_missing(ws))
                self.tasks.add(task)
                task.add_done_callback(self.tasks.discard)
        elif msg["type"] == "ack":
            started = self.sent.pop(msg["client_id"], None)
            if started is not None:
                self.stats.ack_ms.append((time.perf_counter() - started) * 1000)
            self.seen[msg["seq"]] = 1
            self.answer[msg["client_id"]] = "ack"
            self.answered.set()
        elif msg["type"] == "error":
            self.stats.errors += 1
            if msg.get("client_id") in self.sent:
                self.answer[msg["client_id"]] = "error"
            self.answered.set()

    async def resync_if_still_missing(self, ws) -> None:
        # As the page does: a line may just be late (pushed by another process), so a gap
        # is given half a second before the missing part is asked for again.
        from websockets.exceptions import ConnectionClosed

        await asyncio.sleep(0.5)
        self.waiting_gap = False
        expected = min(
            (s for s in range(1, max(self.seen, default=0)) if s not in self.seen), default=None
        )
        if expected is not None:
            self.syncing += 1
            with contextlib.suppress(ConnectionClosed):
                await ws.send(json.dumps({"type": "sync", "after": expected - 1}))
            self.stats.syncs += 1

    async def practise(self, ws) -> None:
        await asyncio.sleep(max(0.0, self.next_at - time.perf_counter()))
        while time.perf_counter() < self.stop_at or self.in_flight:
            if self.pace.silent:
                await asyncio.sleep(0.5)
                continue
            if self.in_flight is None:
                events, sent_t = (
                    typing_events(REPLY, self.pace.typing_cpm, self.rng)
                    if self.pace.typing_cpm
                    else ([], 0)
                )
                self.in_flight = (uuid.uuid4().hex, events, sent_t)
            await self.send_reply(ws)
            if not self.pace.saturate:
                self.next_at += self.pace.every_s * self.rng.uniform(
                    1 - self.pace.spread, 1 + self.pace.spread
                )
                await asyncio.sleep(max(0.0, self.next_at - time.perf_counter()))

    async def send_reply(self, ws) -> None:
        """The reply in flight, resent under the same client id while the server could not
        store it (as the page offers it again); given up after ``pace.resends``."""
        client_id, events, sent_t = self.in_flight
        for attempt in range(self.pace.resends + 1):
            self.answered.clear()
            self.sent.setdefault(client_id, time.perf_counter())
            frame = {"type": "reply", "client_id": client_id, "text": REPLY}
            await ws.send(json.dumps({**frame, "events": events, "sent_t": sent_t}))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.answered.wait(), timeout=30)
            if self.answer.get(client_id) != "error":
                break
            self.stats.not_stored += 1
            await asyncio.sleep(0.2 * (attempt + 1))  # told to wait: a person would pause
            self.answer.pop(client_id, None)
        if self.answer.get(client_id) != "ack":
            self.stats.unacked += 1
            self.sent.pop(client_id, None)
        self.in_flight = None

    async def drain(self) -> None:
        """Let in-flight buyer lines and resyncs arrive: stay until every resync has been
        answered and the socket has been quiet for 5 s (at most 60 s)."""
        drain_until = time.perf_counter() + 60
        while time.perf_counter() < drain_until and (
            self.syncing or time.perf_counter() - self.last_heard < 5
        ):
            await asyncio.sleep(0.2)


async def trainee_client(
    base: str,
    origin: str,
    session_id: int,
    cookie: str,
    stop_at: float,
    pace: Pace,
    stats: TraineeStats,
) -> None:
    """One trainee on the workbench socket until ``stop_at``, then until the lines settle."""
    await _Trainee(base, origin, session_id, cookie, stop_at, pace, stats).run()


def losses(sessions: list[int], stats: TraineeStats) -> tuple[int, int]:
    """Lines stored as pushed that the trainee never received, and lines received twice.
    Lines stamped in a socket's last second are left out (they may still be on their way)."""
    from roleplay.models import Message

    lost = duplicated = 0
    examples = []
    for session_id in sessions:
        seen = stats.seen.get(session_id, {})
        closed = stats.closed.get(session_id, 0) - 1.0
        delivered = {
            seq: kind
            for seq, kind, at in Message.objects.filter(
                session_id=session_id, seq__isnull=False
            ).values_list("seq", "kind", "at")
            if at.timestamp() < closed
        }
        missing = set(delivered) - set(seen)
        lost += len(missing)
        examples.extend(
            (session_id, seq, delivered[seq], max(seen, default=0)) for seq in sorted(missing)[:2]
        )
        duplicated += sum(
            count - 1 for count in stats.pushed.get(session_id, {}).values() if count > 1
        )
    if examples:
        print("  lost (session, seq, kind, highest seen):", examples[:6])
    return lost, duplicated


def lines_pending(sessions: list[int]) -> int:
    """Buyer lines still waiting to be pushed long after they were due (none should be)."""
    from datetime import timedelta

    from django.utils import timezone

    from roleplay.models import Message

    return Message.objects.filter(
        session_id__in=sessions,
        seq__isnull=True,
        due_at__lt=timezone.now() - timedelta(seconds=10),
    ).count()


def run_clients(coroutines) -> list[BaseException]:
    async def gather():
        results = await asyncio.gather(*coroutines, return_exceptions=True)
        return [r for r in results if isinstance(r, BaseException)]

    failures = asyncio.run(gather())
    if failures:
        print(f"  {len(failures)} clients failed, e.g. {failures[0]!r}")
    return failures


# --- HTTP users: quiz takers and HR -------------------------------------------------------


@dataclass
class HttpStats:
    quiz_submitted: int = 0  # submissions the server answered 200 with a graded attempt
    quiz_failed: list[str] = field(default_factory=list)  # status and start of the body
    quiz_ms: list[float] = field(default_factory=list)  # each request's time
    import_created: int | None = None  # users the result page lists; None: not finished
    import_ms: float | None = None  # upload to result page
    import_failed: list[str] = field(default_factory=list)


def _record_failure(where: list[str], what: str, response) -> None:
    where.append(f"{what}: {response.status_code} {response.text[:200]!r}")


def quiz_taker(
    base: str, token: str, quiz_id: int, think_s: float, stats: HttpStats, seed: int
) -> None:
    """Start an attempt, save answers as the trainee goes, submit: as the quiz page does.
    A request that fails or gets no answer within two minutes is counted, not raised."""
    import requests

    try:
        _quiz_take(base, token, quiz_id, think_s, stats, seed)
    except requests.RequestException as exc:
        stats.quiz_failed.append(f"no answer: {exc!r}"[:300])


def _quiz_take(
    base: str, token: str, quiz_id: int, think_s: float, stats: HttpStats, seed: int
) -> None:
    import requests

    rng = random.Random(seed)
    http = requests.Session()
    http.headers["Authorization"] = f"Token {token}"
    # A connection per request, as the server closes idle ones after 5 s: a request sent on
    # one just closed is reset, and a browser would silently send it again.
    http.headers["Connection"] = "close"

    def call(method: str, path: str, **kwargs):
        started = time.perf_counter()
        response = http.request(method, f"{base}{path}", timeout=120, **kwargs)
        stats.quiz_ms.append((time.perf_counter() - started) * 1000)
        return response

    time.sleep(rng.uniform(0, think_s))
    response = call("POST", f"/api/courses/quizzes/{quiz_id}/attempts/")
    if response.status_code != 201:
        return _record_failure(stats.quiz_failed, "start", response)
    attempt = response.json()
    answers = {}
    for question in attempt["questions"]:
        choices = [choice["id"] for choice in question["choices"]]
        answers[str(question["id"])] = {
            "single": lambda c=choices: {"choice": rng.choice(c)},
            "multiple": lambda c=choices: {"choices": c[:2]},
            "true_false": lambda: {"value": rng.random() < 0.5},
            "ordering": lambda c=choices: {"order": c},
            "fill_in": lambda: {"text": "七天无理由"},
        }[question["type"]]()
        if len(answers) % 3 == 0:  # saved as the trainee goes
            time.sleep(rng.uniform(0.5, 1.5) * think_s / 3)
            response = call(
                "PUT", f"/api/courses/attempts/{attempt['id']}/answers/", json={"answers": answers}
            )
            if response.status_code != 200:
                return _record_failure(stats.quiz_failed, "save", response)
    response = call(
        "POST", f"/api/courses/attempts/{attempt['id']}/submit/", json={"answers": answers}
    )
    if response.status_code != 200 or response.json().get("status") != "submitted":
        return _record_failure(stats.quiz_failed, "submit", response)
    stats.quiz_submitted += 1


def hr_import(base: str, cookie: str, workbook: bytes, stats: HttpStats) -> None:
    """HR uploads the roster on the onboarding page, then applies it from the preview."""
    import requests

    try:
        _hr_import(base, cookie, workbook, stats)
    except requests.RequestException as exc:
        stats.import_failed.append(f"no answer: {exc!r}"[:300])


def _hr_import(base: str, cookie: str, workbook: bytes, stats: HttpStats) -> None:
    import requests

    http = requests.Session()
    http.cookies.set("sessionid", cookie, domain="127.0.0.1")
    started = time.perf_counter()
    page = http.get(f"{base}/onboarding/", timeout=60)
    if page.status_code != 200:
        return _record_failure(stats.import_failed, "upload page", page)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    preview = http.post(
        f"{base}/onboarding/",
        data={"csrfmiddlewaretoken": token},
        files={
            "file": (
                "roster.xlsx",
                workbook,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        },
        timeout=3600,
    )
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', preview.text)
    if preview.status_code != 200 or not re.search(r"/onboarding/\d+/$", preview.url):
        return _record_failure(stats.import_failed, "upload", preview)
    done = http.post(
        preview.url, data={"csrfmiddlewaretoken": token.group(1), "action": "apply"}, timeout=3600
    )
    stats.import_ms = (time.perf_counter() - started) * 1000
    if done.status_code != 200:
        return _record_failure(stats.import_failed, "apply", done)
    from accounts.models import Cohort

    stats.import_created = Cohort.objects.get(name=COHORT_NAME).trainees.count()


def healthz_failures(base: str) -> str:
    """Background work given up in the last 15 minutes, as /healthz reports it; when the
    server does not answer, as the counters themselves say (every process shares them)."""
    import requests

    from simulator.background import background_failures

    counted = sum(failure.count for failure in background_failures() if failure.recent)
    try:
        answer = requests.get(f"{base}/healthz", timeout=60).json()["background"]
    except (requests.RequestException, ValueError, KeyError):
        return f"{counted} (/healthz did not answer)"
    return str(answer["recent_failures"])


def quiz_attempts_stored(quiz_id: int) -> int:
    from courses.models import Attempt

    return Attempt.objects.filter(quiz_id=quiz_id, status=Attempt.Status.SUBMITTED).count()


def in_threads(*calls: Callable[[], None]) -> list:
    """Coroutines running blocking HTTP users in threads, beside the socket clients."""
    return [asyncio.to_thread(call) for call in calls]
