"""A crowded Janus meeting: the viewer's call widget shows one grid page (16 tiles) and Janus
sends the video only of the participants on it, the audio of everyone; turning the page brings
the others' video back."""

from __future__ import annotations

import aiohttp
from PySide6.QtWidgets import QApplication

from media.call import Call
from media.config import JanusBackend
from media.devices import ToneTrack
from media.signaling.janus import JanusSignaling
from media.state import CallState
from tests.fixtures.janus import ROOM, JanusProcess
from tests.media.netns.engines import FAST, run_in_qt, until
from tests.media.netns.publishers import Publishers
from ui.call.layout import PAGE, SELF, Layout
from ui.call.widget import CallWidget

CROWD = 20
MORE = 8  # frames every shown feed receives while the hidden ones are watched (10 fps each)


def counts(call: Call) -> dict[str, int]:
    """Video frames received so far per participant (0 before any)."""
    return {p: v.frames if (v := call.video(p)) else 0 for p in call.participants()}


def on_screen(widget: CallWidget) -> set[str]:
    return {k for k, tile in widget.area.tiles.items() if k != SELF and tile.isVisible()}


async def shown_flow_hidden_stay(call: Call, shown: set[str], hidden: set[str]) -> None:
    """Every shown feed receives MORE frames while not one frame of a hidden feed arrives."""
    start = counts(call)
    await until(lambda: all(counts(call)[p] >= start[p] + MORE for p in shown), "shown feeds")
    base = counts(call)  # anything already on its way when the page changed has arrived now
    await until(lambda: all(counts(call)[p] >= base[p] + MORE for p in shown), "shown again")
    now = counts(call)
    assert {p: now[p] - base[p] for p in hidden} == dict.fromkeys(hidden, 0)
    assert all(call.flags(p).audio for p in hidden)  # heard all the same


def test_janus_sends_only_the_video_of_the_tiles_on_screen(
    janus: JanusProcess, qapp: QApplication
) -> None:
    async def scenario() -> None:
        async with aiohttp.ClientSession() as http:
            crowd = Publishers(http, janus.url, ROOM)
            backend = JanusBackend(janus.url, ROOM)
            viewer = Call(
                lambda: JanusSignaling(http, backend, "Viewer"),
                ice_servers=(),  # never aiortc's public STUN default
                backoff=FAST,
            )
            widget = CallWidget(viewer)
            widget.resize(1280, 720)
            widget.show()
            widget.set_layout(Layout.GRID)
            try:
                await crowd.open()
                for n in range(CROWD):
                    await crowd.add(f"P{n}", tag=300 + n, audio=ToneTrack())
                viewer.join()
                await until(lambda: len(viewer.participants()) == CROWD, "the whole crowd")
                await until(lambda: viewer.status.state is CallState.CONNECTED, "connected")
                first = on_screen(widget)
                assert len(first) == PAGE  # our own tile comes last, on the second page
                rest = set(viewer.participants()) - first
                # every feed is subscribed and its connection up, hidden or not
                await until(
                    lambda: all(
                        (link := viewer._peers[p]).pc is not None
                        and link.pc.connectionState == "connected"
                        for p in viewer.participants()
                    ),
                    "every feed connected",
                )
                await shown_flow_hidden_stay(viewer, first, rest)

                widget.turn_page()
                assert on_screen(widget) == rest
                await shown_flow_hidden_stay(viewer, rest, first)

                widget.turn_page()  # back to the first page: those come back too
                await shown_flow_hidden_stay(viewer, first, rest)
            finally:
                widget.close()
                await viewer.close()
                await crowd.close()
            assert viewer.task_count() == 0

    run_in_qt(qapp, scenario(), within=150)
