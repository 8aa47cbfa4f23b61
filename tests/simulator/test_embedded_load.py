"""The embedded default (SQLite, file-system broker, channel layer in the database) under
the concurrent use of a small class: trainees practising over the role-play socket while
others submit quizzes and HR imports a roster of thousands of new hires.

A smaller run of ``tests/bench/bench_embedded_load.py`` (same clients, from
``tests/bench/harness.py``), against the real server and worker processes. SQLite has one
write lock for the whole file: a write transaction that holds it for seconds makes every
other writer wait, and past the busy timeout fail with "database is locked". The processes
get a busy timeout of 5 s here (20 s in use), so any transaction that long fails the test
rather than passing by luck; and a fast password hasher, so the roster's 3,000 initial
passwords take milliseconds (PBKDF2: over twenty minutes) and its write transaction lands
while the trainees are busy.
"""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from django.db import connection

from simulator.background import background_failures, background_failures_clear
from tests.bench.harness import (
    LOCKED,
    HttpStats,
    Pace,
    TraineeStats,
    first_quiz_id,
    hr_import,
    hr_signed_in,
    lines_pending,
    losses,
    publish_scenario,
    quiz_attempts_stored,
    quiz_taker,
    quiz_takers,
    roster_xlsx,
    start_sessions,
    trainee_client,
    trainees_signed_in,
)
from tests.live_processes import asgi_server, celery_worker

pytestmark = [
    pytest.mark.live,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "sqlite",
        reason="SQLite's single write lock is the embedded default's; PostgreSQL locks rows",
    ),
]

TRAINEES = 12
PRACTICE_S = 25
QUIZ_TAKERS = 6
ROSTER_ROWS = 3000


def test_trainees_quiz_and_roster_import_at_once_lose_nothing_and_never_lock(
    monkeypatch, collected_static
):
    scenario = publish_scenario(nudge_s=6)
    sessions = start_sessions(scenario, trainees_signed_in(TRAINEES))
    tokens = quiz_takers(QUIZ_TAKERS)
    quiz_id = first_quiz_id()
    hr_cookie = hr_signed_in()
    workbook = roster_xlsx(ROSTER_ROWS)
    background_failures_clear()
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "tests.bench.fast_hashing_settings")
    monkeypatch.setenv("SQLITE_BUSY_TIMEOUT_S", "5")

    trainees, http = TraineeStats(), HttpStats()
    with asgi_server() as server, celery_worker() as worker:
        stop = time.perf_counter() + PRACTICE_S
        # HR imports five seconds in; quiz takers start one after another over the run.
        users = [
            threading.Thread(
                target=_later, args=(5, hr_import, server.url, hr_cookie, workbook, http)
            )
        ]
        users += [
            threading.Thread(
                target=_later,
                args=(3 + 3 * n, quiz_taker, server.url, token, quiz_id, 6.0, http, n),
            )
            for n, token in enumerate(tokens)
        ]
        for user in users:
            user.start()
        silent = {sid for n, (sid, _) in enumerate(sessions) if n % 6 == 5}
        asyncio.run(
            _practise(
                [
                    trainee_client(
                        server.ws_url,
                        server.url,
                        sid,
                        key,
                        stop,
                        Pace(every_s=3.0, spread=0.4, typing_cpm=150, silent=sid in silent),
                        trainees,
                    )
                    for sid, key in sessions
                ]
            )
        )
        for user in users:
            user.join(timeout=60)
        logs = server.process.log() + "\n" + worker.log()

    ids = [sid for sid, _ in sessions]
    lost, duplicated = losses(ids, trainees)
    assert [line for line in logs.splitlines() if LOCKED in line][:5] == []
    assert [(f.kind, f.last_error) for f in background_failures()] == []
    assert len(trainees.ack_ms) > TRAINEES * 4  # every talking trainee replied several times
    assert (trainees.unacked, trainees.not_stored, trainees.reconnects) == (0, 0, 0)
    assert (lost, duplicated) == (0, 0)
    assert lines_pending(ids) == 0
    assert http.quiz_failed == []
    assert http.quiz_submitted == QUIZ_TAKERS == quiz_attempts_stored(quiz_id)
    assert http.import_failed == []
    assert http.import_created == ROSTER_ROWS


def _later(delay_s: float, call, *args) -> None:
    time.sleep(delay_s)
    call(*args)


async def _practise(clients) -> None:
    for result in await asyncio.gather(*clients, return_exceptions=True):
        if isinstance(result, BaseException):
            raise result
