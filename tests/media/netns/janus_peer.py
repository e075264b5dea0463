"""A HopDesk call engine in a process of its own, publishing a test pattern and a tone to a
Janus room, for tests that make a participant vanish as a PC does (killed, or frozen with
SIGSTOP: no FIN, no keepalive, no media).

`python -m tests.media.netns.janus_peer URL ROOM NAME KEEPALIVE` prints `ready` once in the call
and stays until it is stopped.
"""

from __future__ import annotations

import asyncio
import sys

import aiohttp

from media.call import Call
from media.config import JanusBackend
from media.devices import TestPatternTrack, ToneTrack
from media.signaling.janus import JanusSignaling
from media.state import CallState


async def publish(url: str, room: int, name: str, keepalive: float) -> None:
    """Join and publish, say so on stdout, then stay in the call."""
    async with aiohttp.ClientSession() as http:
        backend = JanusBackend(url, room)
        call = Call(
            lambda: JanusSignaling(http, backend, name, keepalive=keepalive),
            video=TestPatternTrack(77),
            audio=ToneTrack(),
        )
        joined = asyncio.Event()
        call.state_changed.connect(
            lambda state, _reason: joined.set() if state == CallState.CONNECTED.value else None
        )
        call.join()
        await joined.wait()
        print("ready", flush=True)
        try:
            await asyncio.Event().wait()
        finally:
            await call.close()


if __name__ == "__main__":
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication(["janus-peer"])  # fonts for the stamp drawn into the pattern
    url, room, name, keepalive = sys.argv[1:5]
    asyncio.run(publish(url, int(room), name, float(keepalive)))
