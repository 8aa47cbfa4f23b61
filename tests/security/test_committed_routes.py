"""Routes answered with the help of other database connections: the WebSocket routes (the
consumers read and write in worker threads) and the pages that run the health checks.
They see only committed data: the data set is committed, in a transactional test."""

from __future__ import annotations

import pytest
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.test import override_settings

from tests.event_loops import run_coroutine
from tests.security.matrix import check_cell_committed, entry_url, fast_hashers, sign_in_all
from tests.security.route_table import ACCEPT, REFUSE, ROUTES, WEBSOCKET_ROUTES
from tests.security.routes import websocket_application
from tests.security.world import ROLES, World, world_build

# Celery tasks the role-play services plan (buyer lines, wake-ups, exam deadlines, scoring):
# dropped instead of sent, as tests/roleplay/conftest.py does; no worker runs here.
_TASKS = ("deliver_task", "timer_task", "expire_task", "exam_expire_task", "score_task")


pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def committed_world(transactional_db) -> World:
    """The data set, committed (a transactional test: flushed afterwards)."""
    from roleplay import tasks

    with pytest.MonkeyPatch.context() as patch, override_settings(PASSWORD_HASHERS=fast_hashers()):
        for name in _TASKS:
            task = getattr(tasks, name)
            patch.setattr(task, "apply_async", lambda *args, **kwargs: None)
            patch.setattr(task, "delay", lambda *args, **kwargs: None)
        world = world_build()
        sign_in_all(world)
        yield world


async def _handshakes(cells: list[tuple[str, object]]) -> list[str]:
    """ACCEPT or REFUSE for each (path, user), on one event loop. A refused socket is
    disconnected too, so that its consumer ends here rather than when the loop closes."""
    outcomes = []
    for path, user in cells:
        communicator = WebsocketCommunicator(websocket_application(), path)
        communicator.scope["user"] = user
        connected, _code = await communicator.connect(timeout=10)
        await communicator.disconnect()
        outcomes.append(ACCEPT if connected else REFUSE)
    return outcomes


def _websocket_problems(world: World) -> list[str]:
    """Every WebSocket route as every role, on one event loop (the Redis channel layer
    keeps its connections per loop)."""
    cells = []
    for key, entry in sorted(WEBSOCKET_ROUTES.items()):
        for side, row in entry.rows().items():
            path = entry.path(world, "own" if side == "any" else side) if entry.path else key[3:]
            for role in ROLES:
                user = AnonymousUser() if role == "anonymous" else world.users[role]
                cells.append((path, user, role, row[role]))
    got = run_coroutine(_handshakes([(path, user) for path, user, _, _ in cells]))
    return [
        f"{role:<13} {path}: expected {expected}, got {outcome}"
        for (path, _, role, expected), outcome in zip(cells, got, strict=True)
        if outcome != expected
    ]


def test_committed_routes_answer_each_role_as_the_table_says(committed_world):
    """One test for all of them: each transactional test builds and flushes the data set."""
    world, problems = committed_world, []
    for key, entry in sorted(ROUTES.items()):
        if not entry.committed:
            continue
        for side, row in entry.rows().items():
            url = entry_url(world, key, entry, side)
            for role in ROLES:
                problems += check_cell_committed(world, role, url, entry, row[role])
    problems += _websocket_problems(world)
    assert not problems, "\n".join(problems)
