"""Workbench load benchmark (a script, not a pytest test).

Runs the real stack on this machine: PostgreSQL, Redis, ``--servers`` ASGI server processes
sharing one listening socket and one Celery worker. For each N it first measures the
ceiling: the N sockets on a bare echo consumer. Then N simulated trainees each hold a
WebSocket and reply every 2 s (a tenth of them stay silent so the buyer nudges them), then
reply as soon as acknowledged (saturation). Reports acknowledgement latency, nudge lateness
(pushed minus planned, from the database), lost and duplicated messages, and the CPU each
part of the stack used per acknowledged reply.

    .venv/bin/python tests/bench/bench_workbench.py --levels 50 100 200 --seconds 20 --servers 2

BENCH_WORKER_POOL sets the worker's pool options (default "-P prefork -c 2").
Needs PostgreSQL and Redis (defaults: 127.0.0.1, database cs_bench, created if missing).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

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
WORKER_POOL = os.environ.get("BENCH_WORKER_POOL", "-P prefork -c 2").split()
REPLY = "确认，亲，有货的哦"


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def cpu_seconds() -> dict[str, float]:
    """CPU time used so far by each part of the stack on this machine (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    totals = {"server": 0.0, "worker": 0.0, "postgres": 0.0, "redis": 0.0, "client": 0.0}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used = (int(fields[11]) + int(fields[12])) / tick
        # Named by the program the process runs, not by its arguments.
        program = " ".join(Path(arg).name for arg in command.split()[:2])
        if int(pid) == os.getpid():
            totals["client"] += used
        elif "daphne" in program or "manage.py serve" in command:
            totals["server"] += used
        elif "celery" in program:
            totals["worker"] += used
        elif "postgres" in program:
            totals["postgres"] += used
        elif "redis" in program:
            totals["redis"] += used
    return totals


def server_command(kind: str, bin_dir: Path, fd: int) -> list[str]:
    if kind == "daphne":
        return [str(bin_dir / "daphne"), "--fd", str(fd), "simulator.asgi:application"]
    return [str(bin_dir / "python"), str(ROOT / "manage.py"), "serve", "--fd", str(fd)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        # A fresh database every run: the benchmark owns it and keeps nothing.
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_world(trainees: int, nudge_s: int):
    """Fresh tables, the catalogue, a published ping-pong scenario and N logged-in trainees."""
    import django

    django.setup()
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from accounts.roles import Role
    from accounts.services import user_create
    from catalog.services import catalog_import
    from scenarios.services import scenario_create, scenario_publish

    call_command("migrate", verbosity=0)
    call_command("flush", "--noinput", verbosity=0)
    call_command("migrate", verbosity=0)  # re-creates role groups after the flush
    catalog_import(sorted((ROOT / "content" / "catalog").glob("*.yaml")))
    trainer = user_create(username="bench-trainer", role=Role.TRAINER, password=None)
    scenario = scenario_create(actor=trainer, yaml_text=SCENARIO.format(nudge=nudge_s))
    scenario_publish(actor=trainer, scenario=scenario)
    users = []
    for n in range(trainees):
        user = user_create(username=f"bench{n}", role=Role.TRAINEE, password=None)
        store = SessionStore()
        store["_auth_user_id"] = str(user.pk)
        store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        store["_auth_user_hash"] = user.get_session_auth_hash()
        store.create()
        users.append((user, store.session_key))
    return scenario, users


def start_sessions(scenario, users):
    from roleplay.services.live import session_start

    return [(session_start(trainee=user, scenario=scenario).pk, key) for user, key in users]


def spawn(args: list[str], env: dict, pass_fds: tuple[int, ...] = ()) -> subprocess.Popen:
    return subprocess.Popen(
        args,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        pass_fds=pass_fds,
    )


async def trainee_client(
    base: str,
    origin: str,
    session_id: int,
    cookie: str,
    silent: bool,
    stop_at: float,
    saturate: bool,
    stats: dict,
) -> None:
    from websockets.asyncio.client import connect

    seen: dict[int, int] = {}  # sequence numbers the trainee has (pushed, acked or resent)
    pushed: dict[int, int] = {}  # how often each was pushed: more than once is a duplicate
    sent: dict[str, float] = {}
    acked = asyncio.Event()
    last_heard = [time.perf_counter()]
    syncing = [0]  # resync requests not answered yet
    async with connect(
        f"{base}/ws/sessions/{session_id}/",
        origin=origin,
        additional_headers={"Cookie": f"sessionid={cookie}"},
        open_timeout=60,
        ping_interval=None,
        max_queue=None,
    ) as ws:
        waiting_gap = [False]
        gap_checks: set[asyncio.Task] = set()

        async def resync_if_still_missing():
            # As the page does: a line may just be late (pushed by another process), so
            # a gap is given half a second before the missing part is asked for again.
            await asyncio.sleep(0.5)
            waiting_gap[0] = False
            expected = min(
                (s for s in range(1, max(seen, default=0)) if s not in seen), default=None
            )
            if expected is not None:
                syncing[0] += 1
                await ws.send(json.dumps({"type": "sync", "after": expected - 1}))
                stats["syncs"] += 1

        async def reader():
            async for raw in ws:
                last_heard[0] = time.perf_counter()
                msg = json.loads(raw)
                if msg["type"] == "hello":
                    syncing[0] = max(0, syncing[0] - 1)
                    for m in msg["messages"]:
                        seen[m["seq"]] = 1  # a resync repeats what the page has: it keys by seq
                elif msg["type"] == "message":
                    seq = msg["message"]["seq"]
                    seen[seq] = 1
                    pushed[seq] = pushed.get(seq, 0) + 1
                    if any(s not in seen for s in range(1, seq)) and not waiting_gap[0]:
                        waiting_gap[0] = True
                        gap_checks.add(asyncio.create_task(resync_if_still_missing()))
                elif msg["type"] == "ack":
                    started = sent.pop(msg["client_id"], None)
                    if started is not None:
                        stats["ack_ms"].append((time.perf_counter() - started) * 1000)
                    seen[msg["seq"]] = 1
                    acked.set()
                elif msg["type"] == "error":
                    stats["errors"] += 1
                    if sent.pop(msg.get("client_id"), None) is not None:
                        await asyncio.sleep(0.2)  # told to slow down: a person would pause
                    acked.set()

        task = asyncio.create_task(reader())
        # Trainees are independent: each starts at its own moment within the first 2 s
        # (seeded, so runs compare), then keeps its own 2 s rhythm.
        next_at = time.perf_counter() + random.Random(session_id).uniform(0, 2)
        await asyncio.sleep(next_at - time.perf_counter())
        while time.perf_counter() < stop_at:
            if silent:
                await asyncio.sleep(0.5)
                continue
            client_id = uuid.uuid4().hex
            sent[client_id] = time.perf_counter()
            acked.clear()
            await ws.send(
                json.dumps(
                    {
                        "type": "reply",
                        "client_id": client_id,
                        "text": REPLY,
                        "events": [],
                        "sent_t": 0,
                    }
                )
            )
            if saturate:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(acked.wait(), timeout=10)
            else:
                next_at += 2.0
                await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
        # Let in-flight buyer lines and resyncs arrive: stay until every resync has been
        # answered and the socket has been quiet for 5 s (at most 60 s).
        drain_until = time.perf_counter() + 60
        while time.perf_counter() < drain_until and (
            syncing[0] or time.perf_counter() - last_heard[0] < 5
        ):
            await asyncio.sleep(0.2)
        task.cancel()
    stats["seen"][session_id] = seen
    stats["pushed"][session_id] = pushed
    stats["closed"][session_id] = time.time()


async def echo_client(base: str, origin: str, cookie: str, stop_at: float, stats: dict) -> None:
    from websockets.asyncio.client import connect

    async with connect(
        f"{base}/ws/echo/",
        origin=origin,
        ping_interval=None,
        additional_headers={"Cookie": f"sessionid={cookie}"},
        open_timeout=60,
    ) as ws:
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            await ws.send(json.dumps({"n": 1}))
            await ws.recv()
            stats["ack_ms"].append((time.perf_counter() - started) * 1000)


def run_clients(coroutines) -> None:
    async def gather():
        results = await asyncio.gather(*coroutines, return_exceptions=True)
        failures = [r for r in results if isinstance(r, BaseException)]
        if failures:
            print(f"  {len(failures)} clients failed, e.g. {failures[0]!r}")

    asyncio.run(gather())


def losses(sessions: list[int], stats: dict) -> tuple[int, int]:
    from roleplay.models import Message

    lost = duplicated = 0
    examples = []
    for session_id in sessions:
        seen = stats["seen"].get(session_id, {})
        # Only what was pushed while the socket was open can be lost; a push in its last
        # second may still be on its way.
        closed = stats["closed"].get(session_id, 0) - 1.0
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
            count - 1 for count in stats["pushed"].get(session_id, {}).values() if count > 1
        )
    if examples:
        print("  lost (session, seq, kind, highest seen):", examples[:6])
    return lost, duplicated


def nudge_lateness_ms(sessions: list[int]) -> list[float]:
    from roleplay.models import Message

    return [
        (m.at - m.due_at).total_seconds() * 1000
        for m in Message.objects.filter(session_id__in=sessions, kind="nudge", at__isnull=False)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", type=int, nargs="+", default=[50, 100, 200])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument(
        "--servers", type=int, default=2, help="ASGI server processes sharing one listening socket"
    )
    parser.add_argument(
        "--server",
        choices=["uvicorn", "daphne"],
        default="uvicorn",
        help="ASGI server: uvicorn as `manage.py serve` runs it, or daphne",
    )
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/cs_bench")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/5")
    options = parser.parse_args()

    prepare_database(options.database_url)
    env = {
        **os.environ,
        "DATABASE_URL": options.database_url,
        "REDIS_URL": options.redis_url,
        "DEBUG": "false",
        "HTTPS": "false",
        "SECRET_KEY": "bench-" + "x" * 40,
        "CELERY_QUEUE": "bench",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "simulator.settings",
    }
    os.environ.update(env)
    bin_dir = Path(sys.executable).parent
    port = free_port()
    print(f"{options.servers} {options.server} process(es), Celery worker {' '.join(WORKER_POOL)}")
    base, origin = f"ws://127.0.0.1:{port}", f"http://127.0.0.1:{port}"
    print(
        f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}; "
        f"{options.seconds} s per level"
    )
    rows = []
    for level in options.levels:
        scenario, users = setup_world(level, nudge_s=5)
        import redis

        redis.Redis.from_url(options.redis_url).flushdb()
        # One listening socket shared by every server process (as a process manager does).
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(2048)
        listener.set_inheritable(True)
        servers = [
            spawn(
                server_command(options.server, bin_dir, listener.fileno()),
                env,
                pass_fds=(listener.fileno(),),
            )
            for _ in range(options.servers)
        ]
        worker = spawn(
            [
                str(bin_dir / "celery"),
                "-A",
                "simulator",
                "worker",
                "-Q",
                "bench",
                *WORKER_POOL,
                "--without-mingle",
                "--without-gossip",
                "-l",
                "warning",
            ],
            env,
        )
        time.sleep(6)
        try:
            # The ceiling first, on a quiet machine: the same sockets on a bare echo.
            echo = {"ack_ms": []}
            stop = time.perf_counter() + options.seconds
            run_clients([echo_client(base, origin, key, stop, echo) for _, key in users])
            rows.append(
                {
                    "n": level,
                    "mode": "bare echo",
                    "acks": len(echo["ack_ms"]),
                    "per_s": len(echo["ack_ms"]) / options.seconds,
                    "p50": percentile(echo["ack_ms"], 50),
                    "p95": percentile(echo["ack_ms"], 95),
                    "p99": percentile(echo["ack_ms"], 99),
                    "errors": 0,
                    "nudges": 0,
                    "nudge_p95": float("nan"),
                    "lost": 0,
                    "dup": 0,
                }
            )
            for saturate in (False, True):
                sessions = start_sessions(scenario, users)
                stats = {
                    "ack_ms": [],
                    "errors": 0,
                    "seen": {},
                    "pushed": {},
                    "closed": {},
                    "syncs": 0,
                }
                silent = {sid for n, (sid, _) in enumerate(sessions) if n % 10 == 9}
                stop = time.perf_counter() + options.seconds
                cpu_before = cpu_seconds()
                run_clients(
                    [
                        trainee_client(
                            base,
                            origin,
                            sid,
                            key,
                            sid in silent and not saturate,
                            stop,
                            saturate,
                            stats,
                        )
                        for sid, key in sessions
                    ]
                )
                cpu_after = cpu_seconds()
                acks = max(1, len(stats["ack_ms"]))
                print(
                    f"  N={level} {'saturation' if saturate else 'every 2 s'}: CPU ms per "
                    "acknowledged reply: "
                    + ", ".join(
                        f"{part} {(cpu_after[part] - cpu_before[part]) * 1000 / acks:.1f}"
                        for part in cpu_after
                    )
                    + f"; resyncs asked after a gap: {stats['syncs']}"
                )
                ids = [sid for sid, _ in sessions]
                lost, duplicated = losses(ids, stats)
                late = nudge_lateness_ms(ids)
                rows.append(
                    {
                        "n": level,
                        "mode": "saturation" if saturate else "every 2 s",
                        "acks": len(stats["ack_ms"]),
                        "per_s": len(stats["ack_ms"]) / options.seconds,
                        "p50": percentile(stats["ack_ms"], 50),
                        "p95": percentile(stats["ack_ms"], 95),
                        "p99": percentile(stats["ack_ms"], 99),
                        "errors": stats["errors"],
                        "nudges": len(late),
                        "nudge_p95": percentile(late, 95),
                        "lost": lost,
                        "dup": duplicated,
                    }
                )
                from roleplay.models import Session

                Session.objects.filter(pk__in=ids).update(status="ended")
        finally:
            for process in [*servers, worker]:
                process.terminate()
            for process in [*servers, worker]:
                process.wait()
            listener.close()
    print(
        f"{'N':>4} {'mode':<11} {'acks':>6} {'acks/s':>8} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'p99 ms':>7} {'err':>5} {'nudges':>6} {'nudge p95 ms':>12} {'lost':>5} {'dup':>4}"
        f" {'vs echo':>8}"
    )
    for row in rows:
        echo_row = next(r for r in rows if r["n"] == row["n"] and r["mode"] == "bare echo")
        ratio = row["per_s"] / echo_row["per_s"] if echo_row["per_s"] else float("nan")
        print(
            f"{row['n']:>4} {row['mode']:<11} {row['acks']:>6} {row['per_s']:>8.1f} "
            f"{row['p50']:>7.1f} {row['p95']:>7.1f} {row['p99']:>7.1f} {row['errors']:>5} "
            f"{row['nudges']:>6} {row['nudge_p95']:>12.1f} {row['lost']:>5} {row['dup']:>4} "
            f"{ratio:>7.2f}x"
        )
    multiples = []
    for row in rows:
        if row["mode"] == "bare echo":
            continue
        echo_row = next(r for r in rows if r["n"] == row["n"] and r["mode"] == "bare echo")
        multiples.append(f"N={row['n']} {row['mode']}: {row['p95'] / echo_row['p95']:.1f}x")
    print("p95 ack as a multiple of the echo's:", ", ".join(multiples))


if __name__ == "__main__":
    main()
