"""Refresher: a burst coalesces into one running refresh; close() cancels; no loop, no loss."""

from __future__ import annotations

import asyncio

from desktop.refresher import Refresher


async def test_refresher_coalesces_bursts() -> None:
    calls = 0
    gate = asyncio.Event()

    async def refresh() -> None:
        nonlocal calls
        calls += 1
        await gate.wait()

    refresher = Refresher(refresh, "test")
    refresher.schedule()
    await asyncio.sleep(0)  # the first refresh is running now
    for _ in range(49):
        refresher.schedule()
    gate.set()
    await refresher.wait()
    assert calls == 2  # the running one and one more for everything that came meanwhile
    await refresher.close()


async def test_refresher_close_cancels_the_running_refresh() -> None:
    started = asyncio.Event()
    cancelled = False

    async def forever() -> None:
        nonlocal cancelled
        started.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled = True
            raise

    refresher = Refresher(forever, "test")
    refresher.schedule()
    await started.wait()
    await refresher.close()
    assert cancelled  # the refresh itself saw the cancellation, and close() awaited it


async def test_closing_after_a_refresh_broke_unexpectedly_goes_on() -> None:
    """A refresh that ended with an error the network layer does not expect (seen: aiohttp's
    "no running event loop" under a paused test loop) must not stop sign-out or quit."""

    async def broken() -> None:
        raise RuntimeError("no running event loop")

    refresher = Refresher(broken, "test")
    refresher.schedule()
    await asyncio.sleep(0)
    await asyncio.sleep(0)  # the refresh has failed by now
    await refresher.close()  # before: raised the RuntimeError into stop_session()


def test_refresher_without_a_loop_waits_for_the_next_schedule() -> None:
    calls = 0

    async def refresh() -> None:
        nonlocal calls
        calls += 1

    refresher = Refresher(refresh, "test")
    refresher.schedule()  # outside any loop (a widget test, a sync caller): no error, no task

    async def later() -> None:
        refresher.schedule()
        await refresher.wait()

    asyncio.run(later())
    assert calls == 1
