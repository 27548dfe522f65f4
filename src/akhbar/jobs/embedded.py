"""The embedded mode's background runner: ``akhbar serve`` on SQLite polls and ingests in-process.

It runs the :class:`InlineRunner` on its own event loop in a daemon thread next to the web server,
and stops when the returned function is called.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable

from akhbar.config import Settings
from akhbar.jobs.inline import InlineRunner
from akhbar.services.fetching import open_runtime
from akhbar.services.stories import Grouping
from akhbar.store import Store

log = logging.getLogger(__name__)


def start_embedded_runner(
    store: Store, settings: Settings, grouping: Grouping, *, tick: float = 30.0
) -> Callable[[], None]:
    """Start polling due sources every ``tick`` seconds, placing articles with ``grouping``;
    returns a function that stops it."""
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()

    async def main() -> None:
        async with open_runtime(store, settings, grouping) as runtime:
            runner = InlineRunner(runtime, concurrency=settings.worker_concurrency, keep_outcomes=False)
            await runner.run_forever(stop, tick=tick)

    def run() -> None:
        try:
            loop.run_until_complete(main())
        except Exception:  # the portal keeps serving; the failure is in the log
            log.exception("jobs: the embedded runner stopped")
        finally:
            loop.close()

    thread = threading.Thread(target=run, name="akhbar-jobs", daemon=True)
    thread.start()
    log.info("jobs: embedded runner started (%s jobs at once)", settings.worker_concurrency)

    def halt() -> None:
        if not loop.is_closed():
            loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=30)

    return halt
