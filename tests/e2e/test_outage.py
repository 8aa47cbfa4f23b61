"""The database locked for longer than its busy timeout while a trainee is in a practice
chat: the page says it is reconnecting, the buyer's line arrives once the database is back,
and the report does not count the outage against the trainee (embedded default, SQLite)."""

from __future__ import annotations

import os
import sqlite3
import time

import pytest
from django.db import connection
from playwright.sync_api import expect

from roleplay.models import Session
from tests.e2e.conftest import opened_page
from tests.e2e.test_workbench import GOOD_FIRST, GOOD_SECOND, _login, _start, _type, world
from tests.live_processes import asgi_server

__all__ = ["world"]  # the fixture, shared with the workbench tests

pytestmark = [pytest.mark.e2e, pytest.mark.live, pytest.mark.django_db(transaction=True)]

# The server gives up on a locked database after this long, so a short lock outlasts it.
BUSY_TIMEOUT_S = "1"


@pytest.fixture
def impatient_server(live_worker):
    if connection.vendor != "sqlite":
        pytest.skip("a locked database file is the embedded default's fault (SQLite)")
    previous = os.environ.get("SQLITE_BUSY_TIMEOUT_S")
    os.environ["SQLITE_BUSY_TIMEOUT_S"] = BUSY_TIMEOUT_S
    try:
        with asgi_server() as server:
            yield server
    finally:
        if previous is None:
            os.environ.pop("SQLITE_BUSY_TIMEOUT_S")
        else:
            os.environ["SQLITE_BUSY_TIMEOUT_S"] = previous


@pytest.fixture
def page_on_server(browser, impatient_server):
    with opened_page(browser, impatient_server.url) as page:
        yield page


class DatabaseLock:
    """Another program holding the database's write lock (SQLite's RESERVED lock)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.db: sqlite3.Connection | None = None
        self.held_s = 0.0

    def __enter__(self) -> DatabaseLock:
        self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        self.db.execute("BEGIN IMMEDIATE")
        self._since = time.monotonic()
        return self

    def __exit__(self, *exc) -> None:
        assert self.db is not None
        self.db.execute("ROLLBACK")
        self.db.close()
        self.held_s = time.monotonic() - self._since


def test_a_locked_database_shows_reconnecting_and_the_outage_is_not_counted(page_on_server, world):
    page = page_on_server
    _login(page)
    _start(page, "正品咨询 genuine-coat")
    badge = page.get_by_test_id("connection")
    expect(badge).to_have_attribute("data-state", "connected")
    _type(page, GOOD_FIRST)
    expect(page.get_by_test_id("hints")).to_contain_text("没有违反规则")  # acknowledged
    # The buyer is "typing" her answer (about 6 s): the database is locked meanwhile.
    with DatabaseLock(connection.settings_dict["NAME"]) as lock:
        expect(badge).to_have_attribute("data-state", "reconnecting", timeout=40000)
        expect(badge).to_have_text("正在重新连接…")
        expect(page.get_by_test_id("message")).to_have_count(2)  # her line has not come
        time.sleep(2)
    assert lock.held_s > float(BUSY_TIMEOUT_S) * 5
    expect(page.get_by_test_id("message")).to_have_count(3, timeout=20000)
    expect(page.get_by_test_id("messages")).to_contain_text("那我 160 斤穿什么码")
    expect(badge).to_have_attribute("data-state", "connected", timeout=20000)
    _type(page, GOOD_SECOND)
    expect(page.get_by_test_id("chat-state")).to_contain_text("对话已结束", timeout=20000)
    page.get_by_test_id("report-link").click(timeout=20000)
    expect(page.get_by_test_id("not-counted")).to_be_visible()

    session = Session.objects.get()
    line = session.messages.get(seq=3)
    assert session.held_s > lock.held_s - 8  # the buyer waited while her line was stuck
    wait = session.report.data["response"]["waits"][-1]
    outage_s = (line.shown_at - line.due_at).total_seconds()
    assert outage_s > 5 and wait < outage_s  # measured from when the page got it
    assert session.report.data["response"]["unanswered"] == []
