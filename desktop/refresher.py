"""A coalesced, owned background refresh: what the services run when an event says "changed".

Kept apart from the event stream (desktop/events.py): the services, the outbox and the notes
all schedule work with it, most of them without knowing about the stream at all.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from desktop.errors import HopDeskError

log = logging.getLogger(__name__)


class Refresher:
    """Runs a service's `refresh()` for events, coalescing bursts into one call at a time.

    A burst of 50 `document.commented` events gives one refresh running and at most one
    more queued behind it, not 50 round trips. The task is owned: `close()` cancels it.
    """

    def __init__(self, refresh: Callable[[], Awaitable[object]], what: str) -> None:
        self._refresh = refresh
        self._what = what
        self._task: asyncio.Task[None] | None = None
        self._again = False

    def schedule(self) -> None:
        """Refresh soon. Without a running loop (a caller outside the app's qasync loop) nothing
        is lost: the work waits for the next schedule, e.g. the outbox's next reconnect flush."""
        if self._task is not None and not self._task.done():
            self._again = True
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            log.info("%s not scheduled: no running event loop", self._what)
            return
        self._task = loop.create_task(self._loop(), name=self._what)

    async def _loop(self) -> None:
        while True:
            self._again = False
            try:
                await self._refresh()
            except HopDeskError as exc:  # offline: the cached list stays; the next event retries
                log.info("%s refresh failed: %r", self._what, exc)
            if not self._again:
                return

    async def wait(self) -> None:
        """Wait until the scheduled refreshes are done (tests, shutdown)."""
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)

    async def close(self) -> None:
        """Cancel and await the running refresh. How it ended no longer matters: a refresh that
        failed for another reason than the network is logged, and sign-out or quit go on."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass
            except Exception:
                log.warning("%s ended with an error while closing", self._what, exc_info=True)
