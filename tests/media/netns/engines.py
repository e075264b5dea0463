"""What the media tests share: waiting for an engine to reach a state, and reading the stamps
drawn into the synthetic frames a call receives."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from media.call import Backoff, Call
from media.devices import read_stamp

WAIT = 20.0  # seconds; a DTLS retransmit alone can take 1 s (RECIPES.md)
FAST = Backoff(base=0.2, cap=1.0)


async def until(check: Callable[[], bool], what: str, within: float = WAIT) -> None:
    """Wait for a condition the engine reaches by itself (polled, not a fixed sleep)."""
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def stamp_from(call: Call, tag: int) -> int | None:
    """Milliseconds of the newest frame from the participant sending `tag`, if any."""
    for peer in call.participants():
        video = call.video(peer)
        if video is not None and video.last_frame is not None:
            stamp = read_stamp(video.last_frame)
            if stamp is not None and stamp.tag == tag:
                return stamp.millis
    return None


def frames(call: Call) -> int:
    """Video frames received from everyone so far."""
    return sum(v.frames for p in call.participants() if (v := call.video(p)) is not None)
