"""Running a coroutine from a test, whatever event loop the thread already has.

Playwright's sync API leaves a running loop in the main thread for the rest of the session,
so ``asyncio.run`` there fails; a thread of its own always works.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor


def run_coroutine(coroutine):
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
