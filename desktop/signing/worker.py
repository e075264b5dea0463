"""Signing off the GUI thread.

pyHanko reads, hashes and writes the PDF in Python inside its coroutines; on the GUI's event
loop (qasync) a large file would stall the window. `off_the_loop` runs a signing coroutine on a
worker thread with its own event loop and hands the result back; cancelling the caller cancels
the work there (a timestamp wait stops at once). The token's own work is in the signing process
already (`token_process`), and its client may be used from any loop. Progress callbacks are then
called on the worker thread: the UI passes a Qt signal's `emit`, which crosses threads safely.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from typing import TypeVar

T = TypeVar("T")


def _run(loop: asyncio.AbstractEventLoop) -> None:
    asyncio.set_event_loop(loop)
    try:
        loop.run_forever()
        # a cancelled signature may leave pyHanko's inner tasks behind: end them too
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
    finally:
        loop.close()


async def off_the_loop(factory: Callable[[], Coroutine[object, object, T]]) -> T:
    """The result of `factory()` run to completion on a fresh worker thread and loop."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=_run, args=(loop,), name="hopdesk-signing", daemon=True)
    thread.start()
    try:
        future = asyncio.run_coroutine_threadsafe(factory(), loop)
        return await asyncio.wrap_future(future)
    finally:
        loop.call_soon_threadsafe(loop.stop)
