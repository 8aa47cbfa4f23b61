"""Real-browser tests: Playwright drives Debian's chromium against the live ASGI server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))


# Module scope: Playwright's sync API keeps an event loop running in this thread while the
# browser is open; closing it after each browser module keeps that loop out of other tests.
@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test process only uses
    # the ORM to prepare data while the server runs in its own process. Child processes
    # never inherit this (tests/live_processes.py removes it).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        context_browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        )
        yield context_browser
        context_browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@contextmanager
def opened_page(browser, base_url: str) -> Iterator:
    """A page in a fresh browser context on ``base_url`` (Chinese, a laptop's screen)."""
    context = browser.new_context(
        base_url=base_url, locale="zh-CN", viewport={"width": 1366, "height": 768}
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def page(browser, live_asgi):
    with opened_page(browser, live_asgi.url) as page:
        yield page
