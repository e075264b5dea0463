"""A peer that vanishes without leaving: its tile goes after a timeout (issue 13, faults), on
the room relay and behind Janus.

The other participants run in child processes (desktop/demo_call.py, the demo's synthetic
participants), so they can vanish as a real PC does: killed (the OS still closes its sockets)
or frozen with SIGSTOP — no FIN, no pong, no media, exactly what a pulled cable or a dead Wi-Fi
looks like from the outside. The room relay pings every 2 s here (`relay` fixture;
`--room-ping`, 15 s in production) and drops a member silent for two intervals; Janus ends
a session without keepalives after its `session_timeout` (4 s here, 60 s by default) and tells
the room the publisher left.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
from PySide6.QtWidgets import QApplication

from desktop.demo_call import DemoParticipantsProcess
from media.call import Call
from media.config import JanusBackend, RoomBackend
from media.devices import TestPatternTrack, ToneTrack
from media.signaling.janus import JanusSignaling
from media.signaling.room import RoomSignaling
from media.state import CallState
from tests.fixtures.janus import ROOM as JANUS_ROOM
from tests.fixtures.janus import JanusProcess
from tests.fixtures.server import ServerProcess
from tests.media.netns.engines import FAST, run_in_qt, until
from tests.server.conftest import api_for
from ui.call.layout import SELF
from ui.call.widget import CallWidget

ROOM = "giao-ban-truc-tuyen"  # the seeded meeting in progress (giamdoc, phogiamdoc, …)
PING = 2.0  # the relay fixture's --room-ping
SESSION_TIMEOUT = 4  # seconds, Janus's session_timeout in the Janus test
ROOT = Path(__file__).resolve().parents[3]


def _remote_tiles(widget: CallWidget) -> set[str]:
    return {key for key in widget.area.tiles if key != SELF}


def test_a_vanished_peer_loses_its_tile_after_the_timeout(
    relay: ServerProcess, qapp: QApplication
) -> None:
    backend = RoomBackend(relay.url.replace("http", "ws", 1) + f"/api/v1/rooms/{ROOM}", ROOM)
    token = str(api_for(relay).login("giamdoc").token)

    async def scenario() -> None:
        async with aiohttp.ClientSession() as http:
            call = Call(
                lambda: RoomSignaling(http, backend, token),
                video=TestPatternTrack(71),
                audio=ToneTrack(),
                backoff=FAST,
            )
            widget = CallWidget(call)
            widget.resize(960, 600)
            widget.show()
            killed = DemoParticipantsProcess(relay.url, backend, "giamdoc")
            frozen = DemoParticipantsProcess(relay.url, backend, "giamdoc")
            try:
                call.join()
                await until(lambda: call.status.state is CallState.CONNECTED, "connected")
                killed.launch()
                await until(lambda: len(_remote_tiles(widget)) == 2, "the first two tiles")
                of_killed = _remote_tiles(widget)
                frozen.launch()
                await until(lambda: len(_remote_tiles(widget)) == 4, "all four tiles")
                of_frozen = _remote_tiles(widget) - of_killed
                await until(
                    lambda: all(call.flags(p).video for p in of_killed | of_frozen),
                    "everyone's video arriving",
                )

                # killed: the OS closes its connections, so the relay knows at once
                assert killed.proc is not None
                killed.proc.kill()
                await until(lambda: not (_remote_tiles(widget) & of_killed), "killed: tiles go")
                assert _remote_tiles(widget) == of_frozen

                # frozen: nothing is closed and nothing more arrives; the tiles go once the relay
                # heard nothing for two ping intervals (less after the freeze when a ping was
                # already waiting for its answer)
                assert frozen.proc is not None
                os.kill(frozen.proc.pid, signal.SIGSTOP)
                await until(
                    lambda: not _remote_tiles(widget), "frozen: tiles go", within=2 * PING + 5
                )
                assert call.participants() == {}
                assert len(call.roster) == 0  # the participant list too
                assert widget.people.participants_model.rowCount() == 0
                assert call.status.state is CallState.CONNECTED  # our call goes on
            finally:
                for child in (killed, frozen):
                    if child.proc is not None and child.proc.poll() is None:
                        os.kill(child.proc.pid, signal.SIGCONT)
                    await child.stop()
                widget.close()
                await call.close()
            assert call.task_count() == 0

    run_in_qt(qapp, scenario(), within=120)


def test_a_vanished_publisher_behind_janus_loses_its_tile_after_the_timeout(
    tmp_path_factory: pytest.TempPathFactory, qapp: QApplication
) -> None:
    janus = JanusProcess(tmp_path_factory.mktemp("janus-vanish"), session_timeout=SESSION_TIMEOUT)
    janus.start()
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    command = [sys.executable, "-m", "tests.media.netns.janus_peer", janus.url]
    command += [str(JANUS_ROOM), "Bob", "1.0"]
    bob = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, cwd=ROOT)

    async def scenario() -> None:
        async with aiohttp.ClientSession() as http:
            backend = JanusBackend(janus.url, JANUS_ROOM)
            call = Call(
                lambda: JanusSignaling(http, backend, "Alice", keepalive=1.0),
                video=TestPatternTrack(72),
                audio=ToneTrack(),
                backoff=FAST,
            )
            widget = CallWidget(call)
            widget.resize(960, 600)
            widget.show()
            try:
                call.join()
                await until(lambda: call.status.state is CallState.CONNECTED, "connected")
                await until(lambda: len(_remote_tiles(widget)) == 1, "bob's tile")
                (feed,) = _remote_tiles(widget)
                await until(lambda: call.flags(feed).video, "bob's video arriving")
                os.kill(bob.pid, signal.SIGSTOP)  # no keepalive, no media, nothing closed
                await until(lambda: not call.flags(feed).video, "bob's video stops")
                assert _remote_tiles(widget) == {feed}  # vanished, not yet gone
                await until(
                    lambda: not _remote_tiles(widget),
                    "bob's tile goes when Janus ends his session",
                    within=3 * SESSION_TIMEOUT + 10,
                )
                assert call.participants() == {}
                assert widget.people.participants_model.rowCount() == 0
                assert call.status.state is CallState.CONNECTED  # our call goes on
            finally:
                widget.close()
                await call.close()
            assert call.task_count() == 0

    try:
        run_in_qt(qapp, scenario(), within=120)
    finally:
        if bob.poll() is None:
            bob.kill()
            os.kill(bob.pid, signal.SIGCONT)
        bob.wait(10)
        janus.stop()
