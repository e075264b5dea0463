"""Synthetic participants for `hopdesk --demo`: a newcomer who opens the online meeting on one
machine sees a live grid, not an empty room.

Each participant is a seeded user signed in to the demo server and an aiortc call, joined to the
meeting's room on the server's relay like any client, sending a moving test pattern with their
name drawn in and a tone that speaks in turns (so the big tile follows the speaker).

They run in a child process of their own (`DemoParticipantsProcess`, `python -m
desktop.demo_call`), never in the app: their peer connections and their VP8 encoders and
decoders (six for two participants in a mesh) stalled the GUI thread under load until the tiles
showed the camera off. The server cannot host them (it shares no code with the client). The
child starts with the demo user's call and leaves with it (desktop/call_service.py); it also
goes by itself when its standard input closes (the app ended, however: quit, crash or kill)
and when the server is gone (its calls lose the relay).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence

import aiohttp

from desktop.demo import ROOT, stop_child
from media.call import Call
from media.config import RoomBackend
from media.devices import TestPatternTrack, ToneTrack
from media.errors import MediaError
from media.signaling import Signaling
from media.signaling.room import RoomSignaling
from media.state import CallState

log = logging.getLogger(__name__)

PEOPLE = ("phogiamdoc", "chuyenvien1", "chuyenvien2")  # seeded members of the demo meetings
PASSWORD = "hopdesk-demo"  # the reference server's documented demo password
COUNT = 2
# (seconds on, seconds off, offset): the two take turns of 6 s, with a pause between them
TURNS = ((6.0, 8.0, 0.0), (6.0, 8.0, 7.0))
SIZE = (480, 272)  # smaller than a camera's: the demo encodes all of it on one machine
READY = "participants "  # the child's line once they joined: "participants N"
STOP_TIMEOUT = 10.0


class DemoParticipants:
    """Up to `COUNT` synthetic participants in one room of the demo server, in this process
    (the child's, or a test's)."""

    def __init__(self, server_url: str, backend: RoomBackend, me: str) -> None:
        self.server_url = server_url.rstrip("/")
        self.backend = backend
        self.me = me
        self.calls: list[Call] = []
        self._http: aiohttp.ClientSession | None = None

    async def start(self, people: Sequence[str] = PEOPLE) -> None:
        """Sign the participants in and let them join; one that cannot is skipped (logged)."""
        self._http = http = aiohttp.ClientSession()
        others = [p for p in people if p != self.me][:COUNT]
        for index, username in enumerate(others):
            try:
                token, name = await self._sign_in(http, username)
            except (aiohttp.ClientError, OSError, KeyError, ValueError) as exc:
                log.warning("demo participant %s cannot sign in: %r", username, exc)
                continue
            call = Call(
                self._connector(http, token),
                video=TestPatternTrack(900 + index, *SIZE, label=name),
                audio=ToneTrack(330.0 + 110.0 * index, talk=TURNS[index % len(TURNS)]),
            )
            self.calls.append(call)
            call.join()
        log.info("demo participants in %s: %d", self.backend.room, len(self.calls))

    def _connector(self, http: aiohttp.ClientSession, token: str) -> Callable[[], Signaling]:
        return lambda: RoomSignaling(http, self.backend, token)

    async def _sign_in(self, http: aiohttp.ClientSession, username: str) -> tuple[str, str]:
        url = f"{self.server_url}/api/v1/auth/login"
        body = {"username": username, "password": PASSWORD}
        async with http.post(url, json=body) as reply:
            reply.raise_for_status()
            pair = await reply.json()
        return str(pair["access_token"]), str(pair["user"]["full_name"])

    async def close(self) -> None:
        """Every participant leaves; idempotent."""
        calls, self.calls = self.calls, []
        for call in calls:
            try:
                await call.close()
            except MediaError:
                log.warning("demo participant did not leave cleanly", exc_info=True)
        http, self._http = self._http, None
        if http is not None:
            await http.close()


class DemoParticipantsProcess:
    """The participants' child process, seen from the app: launched, then stopped by PID."""

    def __init__(self, server_url: str, backend: RoomBackend, me: str) -> None:
        self.args = [
            "--server",
            server_url,
            "--room-url",
            backend.url,
            "--room",
            backend.room,
            "--me",
            me,
        ]
        self.proc: subprocess.Popen[bytes] | None = None

    def launch(self) -> None:
        """Start the child (a fork and exec: no waiting for it to join)."""
        if self.proc is not None:
            return
        env = dict(os.environ, PYTHONUNBUFFERED="1", QT_QPA_PLATFORM="offscreen")
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
        env.pop("HOPDESK_STALL_WATCHDOG", None)  # the child has no GUI thread to watch
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "desktop.demo_call", *self.args],
            env=env,
            stdin=subprocess.PIPE,  # never written; closes when the app ends, however
            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
        )
        log.info("demo participants: pid %s", self.proc.pid)

    @property
    def running(self) -> bool:
        """Whether the child is still there."""
        return self.proc is not None and self.proc.poll() is None

    async def stop(self, wait: float = STOP_TIMEOUT) -> None:
        """Let the participants leave (SIGTERM, TerminateProcess on Windows), kill if they
        linger; idempotent."""
        proc, self.proc = self.proc, None
        if proc is not None:
            await stop_child(proc, wait, "demo participants")


def _watch_stdin(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
    """The app keeps our stdin open while it lives: EOF means it is gone. Read below the
    buffered reader, whose lock a daemon thread blocked in it holds at interpreter shutdown
    ("could not acquire lock for <stdin>": a fatal error on the way out)."""
    with contextlib.suppress(OSError):
        while os.read(sys.stdin.fileno(), 4096):
            pass
    loop.call_soon_threadsafe(stop.set)


async def serve(server_url: str, backend: RoomBackend, me: str) -> int:
    """The child's life: join, then leave when told (SIGTERM), when the app is gone (stdin at
    EOF) or when the server is (the relay link lost)."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    threading.Thread(target=_watch_stdin, args=(loop, stop), name="stdin", daemon=True).start()
    if sys.platform != "win32":
        loop.add_signal_handler(signal.SIGTERM, stop.set)
    participants = DemoParticipants(server_url, backend, me)
    await participants.start()
    gone = {CallState.RECONNECTING.value, CallState.FAILED.value}
    for call in participants.calls:
        call.state_changed.connect(lambda state, _reason: stop.set() if state in gone else None)
    print(f"{READY}{len(participants.calls)}", flush=True)
    try:
        if participants.calls:
            await stop.wait()
    finally:
        await participants.close()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m desktop.demo_call --server URL --room-url WS --room NAME --me USER`."""
    parser = argparse.ArgumentParser(prog="desktop.demo_call")
    parser.add_argument("--server", required=True)
    parser.add_argument("--room-url", required=True)
    parser.add_argument("--room", required=True)
    parser.add_argument("--me", default="")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="demo-participants %(levelname)s %(message)s")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication(["hopdesk-demo-participants"])  # fonts for the names on the pattern
    code = asyncio.run(serve(args.server, RoomBackend(args.room_url, args.room), args.me))
    del app
    return code


if __name__ == "__main__":
    sys.exit(main())
