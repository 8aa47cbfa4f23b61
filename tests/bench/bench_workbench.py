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
import json
import os
import socket
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.harness import (  # noqa: E402 - the path above makes `tests` importable
    Pace,
    TraineeStats,
    free_port,
    losses,
    percentile,
    prepare_database,
    publish_scenario,
    run_clients,
    spawn,
    start_sessions,
    trainee_client,
    trainees_signed_in,
)

WORKER_POOL = os.environ.get("BENCH_WORKER_POOL", "-P prefork -c 2").split()


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


def setup_world(trainees: int, nudge_s: int):
    """Fresh tables, the catalogue, a published ping-pong scenario and N logged-in trainees."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("flush", "--noinput", verbosity=0)
    call_command("migrate", verbosity=0)  # re-creates role groups after the flush
    return publish_scenario(nudge_s), trainees_signed_in(trainees)


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
                stats = TraineeStats()
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
                            stop,
                            Pace(
                                every_s=2.0,
                                saturate=saturate,
                                silent=sid in silent and not saturate,
                            ),
                            stats,
                        )
                        for sid, key in sessions
                    ]
                )
                cpu_after = cpu_seconds()
                acks = max(1, len(stats.ack_ms))
                print(
                    f"  N={level} {'saturation' if saturate else 'every 2 s'}: CPU ms per "
                    "acknowledged reply: "
                    + ", ".join(
                        f"{part} {(cpu_after[part] - cpu_before[part]) * 1000 / acks:.1f}"
                        for part in cpu_after
                    )
                    + f"; resyncs asked after a gap: {stats.syncs}"
                )
                ids = [sid for sid, _ in sessions]
                lost, duplicated = losses(ids, stats)
                late = nudge_lateness_ms(ids)
                rows.append(
                    {
                        "n": level,
                        "mode": "saturation" if saturate else "every 2 s",
                        "acks": len(stats.ack_ms),
                        "per_s": len(stats.ack_ms) / options.seconds,
                        "p50": percentile(stats.ack_ms, 50),
                        "p95": percentile(stats.ack_ms, 95),
                        "p99": percentile(stats.ack_ms, 99),
                        "errors": stats.errors,
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
