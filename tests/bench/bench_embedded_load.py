"""Embedded-mode load benchmark (a script, not a pytest test).

The stack `make run` starts: SQLite, the file-system broker, the channel layer kept in the
database, one ASGI server process (`manage.py serve`) and one Celery worker (prefork, 2
children). At the same time:

- ``--trainees`` trainees practise over the role-play WebSocket at a person's pace: a reply
  every few seconds with its typing telemetry (IME compositions, a backspace now and then);
  a tenth stay silent, so the buyer nudges them (Celery wake-ups);
- ``--quiz-takers`` trainees take the first module's quiz over the API (start, save as they
  go, submit);
- an HR user uploads an XLSX roster of ``--roster-rows`` new hires on the onboarding page
  and applies it from the preview.

Counted at the end: "database is locked" lines in the server's and the worker's logs,
background work given up (/healthz), replies acknowledged and not stored, buyer lines lost
or duplicated (Message rows against what each trainee received, by sequence number), quiz
attempts stored against submissions answered, and the import's result and duration.

    .venv/bin/python tests/bench/bench_embedded_load.py --trainees 50 --seconds 120

Everything lives in a fresh folder (``--var-dir``, default a temporary one): its own SQLite
file, broker folders and cache, so the benchmark never touches ``var/``.
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.harness import (  # noqa: E402 - the path above makes `tests` importable
    HttpStats,
    Pace,
    TraineeStats,
    count_in_logs,
    first_quiz_id,
    free_port,
    healthz_failures,
    hr_import,
    hr_signed_in,
    lines_pending,
    losses,
    percentile,
    publish_scenario,
    quiz_attempts_stored,
    quiz_taker,
    quiz_takers,
    roster_xlsx,
    run_clients,
    spawn,
    start_sessions,
    trainee_client,
    trainees_signed_in,
)


def machine() -> str:
    model = "unknown CPU"
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (
        f"{model}, {os.cpu_count()} logical CPUs, Linux {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def prepare(options) -> tuple[list[int], list[tuple[int, str]], list[str], int, str]:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    scenario = publish_scenario(nudge_s=8)
    sessions = start_sessions(scenario, trainees_signed_in(options.trainees))
    tokens = quiz_takers(options.quiz_takers)
    quiz_id = first_quiz_id()
    hr_cookie = hr_signed_in()
    return [sid for sid, _ in sessions], sessions, tokens, quiz_id, hr_cookie


def wait_listening(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"the server did not listen on {port} within {timeout} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trainees", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=120, help="how long trainees practise")
    parser.add_argument("--reply-every", type=float, default=5.0, help="seconds, ±40%%")
    parser.add_argument("--typing-cpm", type=float, default=150.0)
    parser.add_argument("--quiz-takers", type=int, default=30)
    parser.add_argument("--roster-rows", type=int, default=3000)
    parser.add_argument(
        "--import-wait",
        type=int,
        default=1800,
        help="seconds to wait for the roster import after the trainees stop",
    )
    parser.add_argument(
        "--fast-password-hashing",
        action="store_true",
        help="hash the roster's initial passwords with MD5 (tests/bench/fast_hashing_settings.py)"
        ": PBKDF2 takes about 0.4 s a password, so 3,000 rows take over 20 minutes",
    )
    parser.add_argument("--var-dir", default=None, help="default: a new temporary folder")
    options = parser.parse_args()

    var_dir = Path(options.var_dir or tempfile.mkdtemp(prefix="bench-embedded-")).resolve()
    var_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "VAR_DIR": str(var_dir),
        "DEBUG": "false",
        "HTTPS": "false",
        "SECRET_KEY": "bench-" + "x" * 40,
        "CELERY_QUEUE": "bench-embedded",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": (
            "tests.bench.fast_hashing_settings"
            if options.fast_password_hashing
            else "simulator.settings"
        ),
    }
    for name in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"):
        env.pop(name, None)  # the embedded default, whatever this shell points at
        os.environ.pop(name, None)
    os.environ.update(env)
    print(f"machine: {machine()}")
    print(
        f"{options.trainees} trainees (a reply every {options.reply_every:g} s ±40%, typing "
        f"at {options.typing_cpm:g} cpm, a tenth silent) for {options.seconds} s; "
        f"{options.quiz_takers} quiz takers; roster of {options.roster_rows} rows"
        f"{' (MD5 password hashing)' if options.fast_password_hashing else ''}; in {var_dir}"
    )
    ids, sessions, tokens, quiz_id, hr_cookie = prepare(options)
    workbook = roster_xlsx(options.roster_rows)

    bin_dir = Path(sys.executable).parent
    port = free_port()
    base, origin = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port}"
    logs = [var_dir / "server.log", var_dir / "worker.log"]
    # As scripts/run.sh starts them.
    server = spawn(
        [str(bin_dir / "python"), str(ROOT / "manage.py"), "serve", "--port", str(port)],
        env,
        log=logs[0],
    )
    worker = spawn(
        [
            str(bin_dir / "celery"),
            "-A",
            "simulator",
            "worker",
            "-Q",
            env["CELERY_QUEUE"],
            "--concurrency",
            "2",
            "--without-mingle",
            "--without-gossip",
            "-l",
            "warning",
        ],
        env,
        log=logs[1],
    )
    try:
        wait_listening(port)
        time.sleep(3)  # the worker's start-up
        trainees, http = TraineeStats(), HttpStats()
        silent = {sid for n, sid in enumerate(ids) if n % 10 == 9}
        started = time.perf_counter()
        stop = started + options.seconds

        # HR starts ten seconds in, while everyone is busy; quiz takers start spread over
        # the first two thirds of the run and think about 20 s over their paper.
        def import_later():
            time.sleep(10)
            hr_import(base, hr_cookie, workbook, http)

        importer = threading.Thread(target=import_later, daemon=True)
        importer.start()
        takers = [
            threading.Thread(
                target=lambda n=n, token=token: (
                    time.sleep(n * options.seconds * 0.66 / max(1, len(tokens))),
                    quiz_taker(base, token, quiz_id, 20.0, http, seed=n),
                ),
                daemon=True,
            )
            for n, token in enumerate(tokens)
        ]
        for taker in takers:
            taker.start()
        run_clients(
            [
                trainee_client(
                    f"ws://127.0.0.1:{port}",
                    origin,
                    sid,
                    key,
                    stop,
                    Pace(
                        every_s=options.reply_every,
                        spread=0.4,
                        typing_cpm=options.typing_cpm,
                        silent=sid in silent,
                    ),
                    trainees,
                )
                for sid, key in sessions
            ]
        )
        # Quiz requests give up after two minutes each; the import is given its own wait.
        deadline = time.monotonic() + 150
        for taker in takers:
            taker.join(timeout=max(0.0, deadline - time.monotonic()))
        importer.join(timeout=options.import_wait)
        elapsed = time.perf_counter() - started
        given_up = healthz_failures(base)
    finally:
        for process in (server, worker):
            process.terminate()
        for process in (server, worker):
            process.wait()

    lost, duplicated = losses(ids, trainees)
    report(options, elapsed, logs, given_up, trainees, http, ids, lost, duplicated, quiz_id)


def report(options, elapsed, logs, given_up, trainees, http, ids, lost, duplicated, quiz_id):
    from roleplay.models import Message

    locked_server = count_in_logs(logs[:1])
    locked_worker = count_in_logs(logs[1:])
    acks = trainees.ack_ms
    replies = Message.objects.filter(session_id__in=ids, role=Message.Role.AGENT)
    buyer_lines = Message.objects.filter(session_id__in=ids, seq__isnull=False).exclude(
        role=Message.Role.AGENT
    )
    rows = [
        ("wall time, s", f"{elapsed:.0f}"),
        ('"database is locked" lines: server log', locked_server),
        ('"database is locked" lines: worker log', locked_worker),
        ("background work given up (/healthz)", given_up),
        ("replies acknowledged", len(acks)),
        ("replies stored (Message rows)", replies.count()),
        ("replies refused as not stored (resent)", trainees.not_stored),
        ("replies never acknowledged", trainees.unacked),
        ("other error frames", trainees.errors - trainees.not_stored),
        (
            "ack latency p50 / p95 / p99 / max, ms",
            f"{percentile(acks, 50):.0f} / {percentile(acks, 95):.0f} / "
            f"{percentile(acks, 99):.0f} / {max(acks, default=float('nan')):.0f}",
        ),
        ("buyer lines pushed (Message rows with seq)", buyer_lines.count()),
        ("buyer lines lost", lost),
        ("buyer lines duplicated", duplicated),
        ("buyer lines still pending 10 s after due", lines_pending(ids)),
        ("resyncs after a gap", trainees.syncs),
        ("sockets dropped and reconnected", trainees.reconnects),
        ("quiz submissions answered 200", http.quiz_submitted),
        ("quiz attempts stored as submitted", quiz_attempts_stored(quiz_id)),
        ("quiz requests failed", len(http.quiz_failed)),
        (
            "quiz request p50 / p95 / max, ms",
            f"{percentile(http.quiz_ms, 50):.0f} / {percentile(http.quiz_ms, 95):.0f} / "
            f"{max(http.quiz_ms, default=float('nan')):.0f}",
        ),
        (
            "roster import: users created",
            "not finished" if http.import_created is None else http.import_created,
        ),
        (
            "roster import: upload to result, s",
            "-" if http.import_ms is None else f"{http.import_ms / 1000:.1f}",
        ),
    ]
    print()
    print("| measure | result |")
    print("| --- | --- |")
    for name, value in rows:
        print(f"| {name} | {value} |")
    for failure in (http.quiz_failed + http.import_failed)[:5]:
        print("  failed:", failure)
    failed = (
        locked_server
        + locked_worker
        + (given_up != "0")
        + lost
        + duplicated
        + trainees.unacked
        + len(http.quiz_failed)
        + len(http.import_failed)
    )
    if http.import_created != options.roster_rows:
        failed += 1
    print("PASS" if not failed else "FAIL")
    sys.exit(0 if not failed else 1)


if __name__ == "__main__":
    main()
