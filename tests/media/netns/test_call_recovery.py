"""What a call keeps when its link comes back (issue 13): the room relay's server restarted
mid-call, Janus restarted twice in a row. The user's own switches (microphone, camera), the
pinned tile and, behind Janus, which feeds' video is received (the tiles on screen) survive
the rejoin, and the banner says "reconnecting" and then goes."""

from __future__ import annotations

import asyncio
import time

import aiohttp
from PySide6.QtWidgets import QApplication

from media.call import Call
from media.config import JanusBackend
from media.devices import TestPatternTrack, ToneTrack
from media.signaling.janus import JanusSignaling
from media.state import CallState
from tests.fixtures.janus import ROOM, JanusProcess
from tests.fixtures.server import ServerProcess
from tests.media.netns.engines import (
    FAST,
    relay_call,
    run_in_qt,
    stamp_from,
    states_of,
    until,
)
from tests.server.conftest import api_for
from ui.call.layout import SELF
from ui.call.widget import CallWidget


def shown_widget(call: Call) -> CallWidget:
    """`call`'s window on screen, as large as a meeting room gives it."""
    widget = CallWidget(call)
    widget.resize(960, 600)
    widget.show()
    return widget


def tile_of(widget: CallWidget, name: str) -> str | None:
    """The key of the tile showing `name`, if there is one."""
    return next((k for k, t in widget.area.tiles.items() if k != SELF and t.name == name), None)


def test_a_relay_restart_keeps_mute_camera_and_pin(
    relay: ServerProcess, qapp: QApplication
) -> None:
    bob_name = api_for(relay).login("chuyenvien2").user["full_name"]

    async def scenario() -> None:
        async with aiohttp.ClientSession() as http:
            alice = relay_call(http, relay, "chuyenvien1", 81)
            bob = relay_call(http, relay, "chuyenvien2", 82)
            widget = shown_widget(alice)
            states = states_of(alice)
            try:
                alice.join()
                bob.join()
                await until(lambda: stamp_from(alice, 82) is not None, "bob's frames at alice")
                widget.mute.trigger()
                widget.camera.trigger()
                first = tile_of(widget, bob_name)
                assert first is not None
                widget.toggle_pin(first)

                await asyncio.to_thread(relay.restart)  # both links drop; new peer ids after
                await until(lambda: "reconnecting" in states, "alice saw the drop")
                assert widget.banner.isVisible()
                await until(lambda: alice.status.state is CallState.CONNECTED, "alice back")
                before = time.time() * 1000
                await until(lambda: (stamp_from(alice, 82) or 0) > before, "bob's new frames")
                again = tile_of(widget, bob_name)
                assert again is not None
                assert widget.area.pinned == again  # still pinned, under bob's new peer id
                assert widget.banner.isHidden()
                assert widget.mute.isChecked()
                assert not alice.microphone_on
                assert widget.camera.isChecked()
                assert not alice.camera_on
                (alice_at_bob,) = bob.participants()
                assert not bob.flags(alice_at_bob).audio
                assert not bob.flags(alice_at_bob).video
            finally:
                widget.close()
                await asyncio.gather(bob.close(), alice.close())
            assert [alice.task_count(), bob.task_count()] == [0, 0]

    run_in_qt(qapp, scenario())


def test_janus_restarted_twice_in_a_row_keeps_the_pin_and_the_media(
    janus: JanusProcess, qapp: QApplication
) -> None:
    """The second restart comes while the calls are still rejoining after the first."""

    async def scenario() -> None:
        async with aiohttp.ClientSession() as http:
            backend = JanusBackend(janus.url, ROOM)
            alice, bob = (
                Call(
                    lambda name=name: JanusSignaling(http, backend, name, keepalive=1.0),
                    ice_servers=(),  # never aiortc's public STUN default
                    video=TestPatternTrack(tag),
                    audio=ToneTrack(),
                    backoff=FAST,
                )
                for name, tag in (("Alice", 83), ("Bob", 84))
            )
            widget = shown_widget(alice)
            states = states_of(alice)
            try:
                alice.join()
                bob.join()
                await until(lambda: stamp_from(alice, 84) is not None, "bob's frames at alice")
                widget.mute.trigger()
                first = tile_of(widget, "Bob")
                assert first is not None
                widget.toggle_pin(first)
                for _ in range(2):
                    await asyncio.to_thread(janus.restart)
                    await until(lambda: alice.status.state is not CallState.CONNECTED, "drop")
                await until(
                    lambda: alice.status.state is bob.status.state is CallState.CONNECTED,
                    "both back",
                    60,
                )
                before = time.time() * 1000
                await until(lambda: (stamp_from(alice, 84) or 0) > before, "bob's new frames", 60)
                await until(lambda: (stamp_from(bob, 83) or 0) > before, "alice's new frames", 60)
                assert widget.area.pinned == tile_of(widget, "Bob") != first
                assert widget.mute.isChecked()
                assert not alice.microphone_on
                assert states[-1] == "connected"
                assert widget.banner.isHidden()
            finally:
                widget.close()
                await asyncio.gather(bob.close(), alice.close())
            assert [alice.task_count(), bob.task_count()] == [0, 0]

    run_in_qt(qapp, scenario(), within=150)
