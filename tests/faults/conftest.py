"""Fault tests: the real ASGI server and Celery worker, trainees mid-session, one fault each.

Everything runs on a queue of its own, so a worker left running by other live tests of the
same run never takes these tasks (the fault would be hidden).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings as django_settings

from tests.faults.proxy import TcpProxy
from tests.live_processes import (
    Restartable,
    RestartableServer,
    free_port,
    restartable_asgi_server,
    restartable_celery_worker,
    test_database_url,
)

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_AND_REDIS = bool(django_settings.REDIS_URL) and (
    django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
)
needs_postgres_and_redis = pytest.mark.skipif(
    not POSTGRES_AND_REDIS,
    reason="PostgreSQL and Redis faults: run with DATABASE_URL=postgres://... and REDIS_URL",
)

# Short timings so nudges, the buyer leaving and the time limit all happen within a test.
SCENARIO = """
format: 1
slug: fault-drill
title: 故障演练：一问一答
shop: yueyi-apparel
products: [double-face-wool-coat]
persona:
  name: 演练买家
  motive: 求实
  knowledge: none
  price_attitude: generous
  patience_s: 10
  nudge_after_s: 5
  nudges: [在吗？]
  typing_cpm: 200
start: a
steps:
  a:
    buyer: [请问有货吗？]
    branches:
      - {when: {keywords: [成交]}, goto: deal}
      - {when: {keywords: [确认]}, goto: b}
      - {when: {tries: 20}, end: 流失}
  b:
    buyer: [好的，还有别的吗？]
    branches:
      - {when: {keywords: [成交]}, goto: deal}
      - {when: {keywords: [确认]}, goto: a}
      - {when: {tries: 20}, end: 流失}
  deal:
    buyer: [好，那我拍了。]
    end: 成交
"""


@pytest.fixture(autouse=True)
def _fault_queue(settings) -> Iterator[str]:
    from simulator.celery import app

    queue = f"faults-{os.getpid()}-{time.monotonic_ns()}"
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    previous, app.conf.task_default_queue = app.conf.task_default_queue, queue
    try:
        yield queue
    finally:
        app.conf.task_default_queue = previous


@dataclass
class World:
    scenario: object
    trainees: list  # users
    cookies: list[str]  # their signed-in session keys, in the same order
    quiz: object


@pytest.fixture
def world(transactional_db, settings) -> World:
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.roles import Role
    from catalog.services import catalog_import
    from courses.importing import course_import
    from scenarios.services import scenario_create, scenario_publish
    from tests.factories import UserFactory

    catalog_import(sorted((ROOT / "content" / "catalog").glob("*.yaml")))
    trainer = UserFactory(username="fault_trainer", role=Role.TRAINER)
    scenario = scenario_create(actor=trainer, yaml_text=SCENARIO)
    scenario_publish(actor=trainer, scenario=scenario)
    course = course_import(ROOT / "tests" / "courses" / "fixtures" / "basic" / "course.yaml")
    trainees, cookies = [], []
    for n in range(8):
        user = UserFactory(username=f"fault{n}", role=Role.TRAINEE)
        user.refresh_from_db()  # the session's hash is of the stored password
        store = SessionStore()
        store["_auth_user_id"] = str(user.pk)
        store["_auth_user_backend"] = django_settings.AUTHENTICATION_BACKENDS[0]
        store["_auth_user_hash"] = user.get_session_auth_hash()
        store.create()
        trainees.append(user)
        cookies.append(store.session_key)
    return World(scenario, trainees, cookies, course.modules.get(slug="basics").quiz)


@dataclass
class PrivateRedis:
    """A redis-server of the test's own, on a free port, that it may stop and start."""

    port: int = field(default_factory=free_port)
    folder: str = field(default_factory=lambda: tempfile.mkdtemp(prefix="faults-redis-"))
    popen: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        # Saved on shutdown and loaded on start, as a packaged Redis is configured.
        self.popen = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                self.folder,
                "--save",
                "3600 1",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        import redis

        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(redis.exceptions.ConnectionError):
                if redis.Redis.from_url(self.url).ping():
                    return
            time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    def stop(self) -> None:
        """A clean stop (SIGTERM: the data is saved first)."""
        if self.popen is not None and self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            self.popen.wait(timeout=10)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def private_redis(settings) -> Iterator[PrivateRedis]:
    """A private Redis that this test process and its server and worker all use (broker,
    channel layer, cache), so it can be restarted without touching the machine's."""
    from simulator.celery import app

    previous = app.conf.broker_url  # before the settings change: the app reads through them
    server = PrivateRedis()
    server.start()
    settings.CELERY_BROKER_URL = server.url
    settings.CACHES = {
        "default": {**django_settings.CACHES["default"], "LOCATION": server.url},
    }
    layer = django_settings.CHANNEL_LAYERS["default"]
    settings.CHANNEL_LAYERS = {
        "default": {
            **layer,
            "CONFIG": {
                **layer["CONFIG"],
                "hosts": [{**layer["CONFIG"]["hosts"][0], "address": server.url}],
            },
        }
    }
    _celery_broker(app, server.url)
    try:
        yield server
    finally:
        # Nothing is closed: kombu keeps pools in a registry shared by the app's pools, and
        # a closed one would be handed out again. The private server goes away anyway.
        _celery_broker(app, previous)
        server.remove()


def _celery_broker(app, url: str) -> None:
    """Point this process' Celery app at another broker. Its pools were made for the old
    connection: the app forgets them and takes (or makes) the pool of the new one from
    kombu's registry on its next send."""
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


@dataclass
class Stack:
    server: RestartableServer
    worker: Restartable
    proxy: TcpProxy | None = None
    redis: PrivateRedis | None = None

    def logs(self) -> str:
        return (
            f"--- server ---\n{self.server.server.log()[-3000:]}\n"
            f"--- worker ---\n{self.worker.log()[-5000:]}"
        )


@contextlib.contextmanager
def stack_running(
    *, proxy: TcpProxy | None = None, redis: PrivateRedis | None = None
) -> Iterator[Stack]:
    """The server and the worker, started side by side, pointed at the proxy and the
    private Redis when given."""
    env: dict[str, str] = {}
    if proxy is not None:
        url = urlsplit(test_database_url())
        auth = url.netloc.rpartition("@")[0]
        netloc = f"{auth}@127.0.0.1:{proxy.port}" if auth else f"127.0.0.1:{proxy.port}"
        env["DATABASE_URL"] = urlunsplit(url._replace(netloc=netloc))
    if redis is not None:
        env["REDIS_URL"] = redis.url
    with contextlib.ExitStack() as stack, ThreadPoolExecutor(2) as pool:
        server = pool.submit(stack.enter_context, restartable_asgi_server(env))
        worker = pool.submit(stack.enter_context, restartable_celery_worker(env))
        yield Stack(server.result(), worker.result(), proxy, redis)


@pytest.fixture
def postgres_proxy() -> Iterator[TcpProxy]:
    from django.db import connection

    db = connection.settings_dict
    proxy = TcpProxy(db.get("HOST") or "127.0.0.1", int(db.get("PORT") or 5432))
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.stop()
