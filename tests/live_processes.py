"""Real server and worker processes for tests: the ASGI server (`manage.py serve`) and a
Celery worker.

They run against the test database the suite created, so tests that use them must use
``transactional_db`` (rows are committed, other processes can see them).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
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


@contextmanager
def celery_worker() -> Iterator[Process]:
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
