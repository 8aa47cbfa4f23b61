"""Faults against the real processes with eight trainees mid-session: nothing is lost or
doubled. Each test starts the ASGI server and a Celery worker, starts the sessions through
the service, lets the trainees talk (some stay silent, to be nudged and left; some close the
deal; the rest run into the time limit), breaks one thing for a few seconds, and then checks
from the database and the trainees' logs: every reply acknowledged once, every buyer line
delivered once, timers fired once and not too late, every ended session scored once, quiz
deadlines kept.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from courses import services as course_services
from courses.models import Attempt
from roleplay.models import Session
from roleplay.services.live import session_start
from simulator.background import background_failures_clear
from tests.faults.checks import Figures, assert_nothing_lost, verify
from tests.faults.conftest import Stack, needs_postgres_and_redis, stack_running
from tests.faults.trainees import Plan, Trainee, run_trainees

pytestmark = [pytest.mark.faults, pytest.mark.live, pytest.mark.django_db(transaction=True)]

TIME_LIMIT_S = 22
FAULT_AT_S = 4
QUIZ_DEADLINE_S = 6  # falls inside every fault below
PLANS = [
    Plan(2.0, close_after=4),
    Plan(2.5, close_after=6),
    Plan(3.0),
    Plan(2.0),
    Plan(None),
    Plan(None),
    Plan(8.0),
    Plan(4.0, close_after=2),
]
# Timers due during an outage fire when it ends: the bound is the outage plus the restart.
TIMER_BOUND_S = 15


@dataclass
class FaultWindow:
    began: float = 0.0
    ended: float = 0.0
    health: list[tuple[float, int, dict]] = field(default_factory=list)


def _get_json(url: str, timeout: float = 3) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        text = error.read()
        try:
            return error.code, json.loads(text or b"{}")
        except ValueError:  # an error page, not the health answer
            return error.code, {"error": text.decode(errors="replace")[:200]}
    except (OSError, ValueError) as error:
        return 0, {"error": str(error)}


def _put_json(url: str, token: str, payload: dict) -> int:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        method="PUT",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


async def _probe_health(stack: Stack, window: FaultWindow, until: Callable[[], bool]) -> None:
    """/healthz every half second while the fault lasts (the server may be the fault)."""
    while not until():
        status, body = await asyncio.to_thread(_get_json, f"{stack.server.url}/healthz")
        window.health.append((time.monotonic(), status, body))
        await asyncio.sleep(0.5)


def _quiz_attempts(world, monkeypatch) -> list[Attempt]:
    """Two open attempts whose deadline passes during the fault, an answer saved in each."""
    due = timezone.now() + timedelta(seconds=QUIZ_DEADLINE_S)
    monkeypatch.setattr(course_services, "attempt_deadline", lambda quiz, now: due)
    attempts = []
    for user in world.trainees[:2]:
        attempt = course_services.attempt_start(user=user, quiz=world.quiz)
        question = world.quiz.questions.get(slug="b-terse")
        course_services.attempt_save(
            user=user, attempt=attempt, answers={str(question.pk): {"value": False}}
        )
        attempts.append(attempt)
    return attempts


def run_fault(
    name: str,
    world,
    stack: Stack,
    monkeypatch,
    settings,
    fault: Callable[[Stack, FaultWindow], Awaitable[None]],
) -> tuple[Figures, FaultWindow]:
    background_failures_clear()
    settings.ROLEPLAY_PRACTICE_MINUTES = TIME_LIMIT_S / 60
    attempts = _quiz_attempts(world, monkeypatch)
    sessions = [session_start(trainee=user, scenario=world.scenario) for user in world.trainees]
    started = time.monotonic()
    window = FaultWindow()
    origin = stack.server.url

    async def drive():
        from tests.faults.trainees import TraineeLog

        trainees = [
            Trainee(stack.server.ws_url, origin, cookie, TraineeLog(session.pk, plan))
            for session, cookie, plan in zip(sessions, world.cookies, PLANS, strict=True)
        ]
        stop_at = started + TIME_LIMIT_S + 25

        async def break_it():
            await asyncio.sleep(max(0.0, started + FAULT_AT_S - time.monotonic()))
            window.began = time.monotonic()
            probe = asyncio.create_task(_probe_health(stack, window, lambda: window.ended > 0))
            await fault(stack, window)
            window.ended = time.monotonic()
            await probe

        results = await asyncio.gather(run_trainees(trainees, stop_at), break_it())
        return results[0]

    logs = asyncio.run(drive())
    figures = verify(name, sessions, logs)
    _check_quiz_deadline(figures, attempts, world, stack)
    status, body = _get_json(f"{stack.server.url}/healthz")
    during = sorted({status for _, status, _ in window.health})
    figures.notes.append(
        f"fault lasted {window.ended - window.began:.1f}s; /healthz during it: {during}, "
        f"after: {status} {body.get('status')}, recent background failures: "
        f"{body.get('background', {}).get('recent_failures')}"
    )
    figures.notes.append(f"whole run {time.monotonic() - started:.1f}s")
    return figures, window


def _check_quiz_deadline(figures: Figures, attempts: list[Attempt], world, stack: Stack) -> None:
    """The first attempt is left alone: the worker must close it. The second gets a save
    after the deadline: it must be refused (409) and the attempt closed."""
    left_alone, touched = attempts
    token = Token.objects.create(user=touched.user).key
    question = world.quiz.questions.get(slug="b-terse")
    status = _put_json(
        f"{stack.server.url}/api/courses/attempts/{touched.pk}/answers/",
        token,
        {"answers": {str(question.pk): {"value": True}}},
    )
    touched.refresh_from_db()
    if status != 409 or touched.status != Attempt.Status.EXPIRED:
        figures.problems.append(
            f"quiz: a save after the deadline answered {status}, attempt {touched.status}"
        )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        left_alone.refresh_from_db()
        if not left_alone.is_open:
            break
        time.sleep(0.2)
    if left_alone.status != Attempt.Status.EXPIRED:
        figures.problems.append(f"quiz: the worker never closed the attempt ({left_alone.status})")
    else:
        lateness = (left_alone.submitted_at - left_alone.deadline_at).total_seconds()
        figures.end_lateness_s.append(lateness)
        figures.notes.append(
            f"quiz attempt closed by the worker {lateness:.2f}s after its deadline"
        )


def _report(figures: Figures) -> None:
    print("\n" + figures.summary())


# --- the faults ----------------------------------------------------------------------------


async def _kill_worker(stack: Stack, window: FaultWindow) -> None:
    await asyncio.to_thread(stack.worker.kill)
    await asyncio.sleep(5)
    await asyncio.to_thread(stack.worker.start)


async def _restart_server(stack: Stack, window: FaultWindow) -> None:
    await asyncio.to_thread(stack.server.server.kill)
    await asyncio.sleep(2)
    await asyncio.to_thread(stack.server.server.start)


async def _restart_redis(stack: Stack, window: FaultWindow) -> None:
    assert stack.redis is not None
    await asyncio.to_thread(stack.redis.stop)
    await asyncio.sleep(3)
    await asyncio.to_thread(stack.redis.start)


async def _postgres_away(stack: Stack, window: FaultWindow) -> None:
    assert stack.proxy is not None
    await asyncio.to_thread(stack.proxy.outage_begin)
    await asyncio.sleep(5)
    await asyncio.to_thread(stack.proxy.outage_end)


def test_worker_killed_and_restarted(world, monkeypatch, settings):
    with stack_running() as stack:
        figures, _ = run_fault("worker SIGKILL", world, stack, monkeypatch, settings, _kill_worker)
        _report(figures)
        assert_nothing_lost(figures, stack.logs(), timer_bound_s=TIMER_BOUND_S)


def test_asgi_server_restarted(world, monkeypatch, settings):
    with stack_running() as stack:
        figures, _ = run_fault(
            "server SIGKILL", world, stack, monkeypatch, settings, _restart_server
        )
        _report(figures)
        assert_nothing_lost(figures, stack.logs(), timer_bound_s=TIMER_BOUND_S)


@needs_postgres_and_redis
def test_redis_restarted(world, monkeypatch, settings, private_redis):
    with stack_running(redis=private_redis) as stack:
        figures, window = run_fault(
            "redis restart", world, stack, monkeypatch, settings, _restart_redis
        )
        _report(figures)
        assert_nothing_lost(figures, stack.logs(), timer_bound_s=TIMER_BOUND_S)
        assert any(status == 503 for _, status, _ in window.health), window.health


@needs_postgres_and_redis
def test_postgresql_unavailable(world, monkeypatch, settings, postgres_proxy):
    with stack_running(proxy=postgres_proxy) as stack:
        figures, window = run_fault(
            "postgresql away", world, stack, monkeypatch, settings, _postgres_away
        )
        _report(figures)
        assert_nothing_lost(figures, stack.logs(), timer_bound_s=TIMER_BOUND_S)
        assert any(status == 503 for _, status, _ in window.health), window.health
        assert Session.objects.filter(status=Session.Status.ENDED).count() == len(PLANS)
