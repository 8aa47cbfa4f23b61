"""Real server and worker processes for tests: the ASGI server (`manage.py serve`) and a
Celery worker.

They run against the test database the suite created, so tests that use them must use
``transactional_db`` (rows are committed, other processes can see them).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_database_url() -> str:
    """The URL of the database the suite is using now (the test database, not the real one)."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    user = quote(db.get("USER") or "")
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{db.get('HOST') or 'localhost'}{port}/{db['NAME']}"


def database_settle(quiet_s: float = 0.3, limit_s: float = 30.0) -> None:
    """Wait until no other connection to the test database is in a transaction.

    A live server or worker may still be writing when a test ends (a report being scored, a
    timer firing). Emptying the tables under it makes PostgreSQL pick one side as a deadlock
    victim, often the teardown, and the next test then finds the last one's rows. SQLite
    writers queue for its one lock instead, so there is nothing to wait for there."""
    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + limit_s
    quiet_since: float | None = None
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND state IN ('active', 'idle in transaction')"
            )
            busy = cursor.fetchone()[0]
        now = time.monotonic()
        if busy:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = now
        elif now - quiet_since >= quiet_s:
            return
        time.sleep(0.05)


def child_environment() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # only the browser-test process needs it
    env["DATABASE_URL"] = test_database_url()
    env["CELERY_QUEUE"] = settings.CELERY_TASK_DEFAULT_QUEUE
    env["PYTHONUNBUFFERED"] = "1"
    return env


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    lines: deque[str] = field(default_factory=lambda: deque(maxlen=400))

    def pump(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            self.lines.append(line.rstrip())

    def log(self) -> str:
        return "\n".join(self.lines)

    def wait_for(self, predicate, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise RuntimeError(f"{self.name} exited early:\n{self.log()}")
            if predicate():
                return
            time.sleep(0.1)
        raise RuntimeError(f"{self.name}: {what} not seen within {timeout}s:\n{self.log()}")

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()


@contextmanager
def _spawn(name: str, args: list[str]) -> Iterator[Process]:
    popen = subprocess.Popen(
        args,
        cwd=ROOT,
        env=child_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    process = Process(name, popen)
    threading.Thread(target=process.pump, daemon=True).start()
    try:
        yield process
    finally:
        process.stop()


@dataclass
class AsgiServer:
    url: str
    ws_url: str
    process: Process


@contextmanager
def asgi_server() -> Iterator[AsgiServer]:
    port = free_port()
    with _spawn(
        "asgi server", [str(BIN / "python"), "manage.py", "serve", "--port", str(port)]
    ) as process:

        def listening() -> bool:
            with socket.socket() as sock:
                return sock.connect_ex(("127.0.0.1", port)) == 0

        process.wait_for(listening, 30, "listening socket")
        yield AsgiServer(f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}", process)


def _queue_purge() -> None:
    """Drop what earlier tests left in this run's queue: a countdown of a session those tests
    made (and the database has since forgotten) would otherwise run against a new row that
    reuses its id (SQLite reuses ids after a flush)."""
    from simulator.celery import app

    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge(settings.CELERY_TASK_DEFAULT_QUEUE)


@contextmanager
def celery_worker() -> Iterator[Process]:
    _queue_purge()
    args = [
        str(BIN / "celery"),
        "-A",
        "simulator",
        "worker",
        "-Q",
        settings.CELERY_TASK_DEFAULT_QUEUE,
        "--concurrency",
        "2",
        "--without-mingle",
        "--without-gossip",
        "--hostname",
        f"test-{os.getpid()}@%h",
        "-l",
        "info",
    ]
    with _spawn("celery worker", args) as process:
        process.wait_for(lambda: any(" ready." in line for line in process.lines), 60, "ready")
        yield process


# --- Processes a test kills and starts again (fault tests) ---------------------------------


@dataclass
class Restartable:
    """A server or worker that can be killed outright (SIGKILL to its whole process group,
    as the kernel or a container runtime would) and started again with the same command
    line and environment: the same port, broker, queue and database."""

    name: str
    args: list[str]
    env: dict[str, str]
    ready: Callable[[Process], bool]
    ready_timeout: float = 60
    process: Process | None = None
    earlier_logs: list[str] = field(default_factory=list)

    def start(self) -> Process:
        if self.process is not None and self.process.popen.poll() is None:
            raise RuntimeError(f"{self.name} is already running")
        popen = subprocess.Popen(
            self.args,
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own process group: a kill reaches its children
        )
        process = Process(self.name, popen)
        threading.Thread(target=process.pump, daemon=True).start()
        self.process = process
        process.wait_for(lambda: self.ready(process), self.ready_timeout, "ready")
        return process

    def kill(self) -> None:
        """SIGKILL the process and every child it started; nothing is flushed or closed."""
        if self.process is None:
            return
        popen = self.process.popen
        if popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(popen.pid, signal.SIGKILL)
            popen.wait(timeout=10)
        self.earlier_logs.append(self.process.log())

    def stop(self) -> None:
        if self.process is None:
            return
        popen = self.process.popen
        if popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(popen.pid, signal.SIGTERM)
            try:
                # A worker holding countdowns waits for them on a warm stop: not worth it.
                popen.wait(timeout=3)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(popen.pid, signal.SIGKILL)
                popen.wait()
        elif popen.returncode is not None:
            # The leader is gone; children of a killed group may linger until reaped.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(popen.pid, signal.SIGKILL)

    def log(self) -> str:
        current = self.process.log() if self.process is not None else ""
        return "\n--- restarted ---\n".join([*self.earlier_logs, current])


def child_environment_with(overrides: dict[str, str] | None = None) -> dict[str, str]:
    """The children's environment with some variables replaced (a proxy's DATABASE_URL, a
    private REDIS_URL)."""
    return {**child_environment(), **(overrides or {})}


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class RestartableServer:
    url: str
    ws_url: str
    port: int
    server: Restartable


@contextmanager
def restartable_asgi_server(env: dict[str, str] | None = None) -> Iterator[RestartableServer]:
    """The ASGI server on a port of its own that it keeps across restarts."""
    port = free_port()
    server = Restartable(
        "asgi server",
        [str(BIN / "python"), "manage.py", "serve", "--port", str(port)],
        child_environment_with(env),
        lambda process: _port_open(port),
        ready_timeout=30,
    )
    server.start()
    try:
        yield RestartableServer(f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}", port, server)
    finally:
        server.stop()


@contextmanager
def restartable_celery_worker(env: dict[str, str] | None = None) -> Iterator[Restartable]:
    """A Celery worker on the configured queue; after a kill it starts again under the same
    name, as a supervisor would restart it."""
    worker = Restartable(
        "celery worker",
        [
            str(BIN / "celery"),
            "-A",
            "simulator",
            "worker",
            "-Q",
            settings.CELERY_TASK_DEFAULT_QUEUE,
            "--concurrency",
            "2",
            "--without-mingle",
            "--without-gossip",
            "--hostname",
            f"faults-{os.getpid()}@%h",
            "-l",
            "info",
        ],
        child_environment_with(env),
        lambda process: any(" ready." in line for line in process.lines),
    )
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()
