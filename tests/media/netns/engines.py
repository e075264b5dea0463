"""What the media tests share: waiting for an engine to reach a state, and reading the stamps
drawn into the synthetic frames a call receives."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from typing import Any

import aiohttp
import qasync
from aiortc.mediastreams import MediaStreamTrack
from PySide6.QtWidgets import QApplication

from media.call import Backoff, Call
from media.config import RoomBackend
from media.devices import TestPatternTrack, ToneTrack, read_stamp
from media.signaling.room import RoomSignaling
from tests.fixtures.server import ServerProcess
from tests.server.conftest import api_for

ROOM = "cds-cap-xa"  # seeded online meeting (chuyenvien1, chuyenvien2, khach, chair, secretary)
WAIT = 20.0  # seconds; a DTLS retransmit alone can take 1 s (RECIPES.md)
FAST = Backoff(base=0.2, cap=1.0)


async def until(check: Callable[[], bool], what: str, within: float = WAIT) -> None:
    """Wait for a condition the engine reaches by itself (polled, not a fixed sleep)."""
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def run_in_qt(qapp: QApplication, scenario: Coroutine[Any, Any, None], within: float = 90) -> None:
    """Run `scenario` in the app's kind of loop: qasync, Qt and asyncio in one thread."""
    qapp.setQuitOnLastWindowClosed(False)  # as the app does: closing a window is not quitting
    loop = qasync.QEventLoop(qapp, already_running=False)
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(asyncio.wait_for(scenario, within))
    finally:
        loop.close()
        asyncio.set_event_loop(None)


def stamp_from(call: Call, tag: int) -> int | None:
    """Milliseconds of the newest frame from the participant sending `tag`, if any."""
    for peer in call.participants():
        video = call.video(peer)
        if video is not None and video.last_frame is not None:
            stamp = read_stamp(video.last_frame)
            if stamp is not None and stamp.tag == tag:
                return stamp.millis
    return None


def states_of(call: Call) -> list[str]:
    """The call states `call` goes through from now on, in order (what its user is shown)."""
    states: list[str] = []
    call.state_changed.connect(lambda state, _reason: states.append(state))
    return states


def frames(call: Call) -> int:
    """Video frames received from everyone so far."""
    return sum(v.frames for p in call.participants() if (v := call.video(p)) is not None)


def relay_backend(server: ServerProcess) -> RoomBackend:
    """The seeded online meeting's room on the relay of `server`."""
    return RoomBackend(server.url.replace("http", "ws", 1) + f"/api/v1/rooms/{ROOM}", ROOM)


def relay_call(
    http: aiohttp.ClientSession,
    server: ServerProcess,
    user: str,
    tag: int,
    screen: Callable[[], MediaStreamTrack] | None = None,
    size: tuple[int, int] = (640, 360),
) -> Call:
    """A call of `user` in the seeded room, sending a test pattern stamped `tag` (`size`) and a
    tone."""
    token = str(api_for(server).login(user).token)
    backend = relay_backend(server)
    return Call(
        lambda: RoomSignaling(http, backend, token),
        ice_servers=(),  # never aiortc's public STUN default
        video=TestPatternTrack(tag, *size),
        audio=ToneTrack(),
        screen=screen,
        backoff=FAST,
    )
