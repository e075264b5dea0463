"""Behind Janus a site publishes 640×360 and 1280×720 (its camera's size) only while a viewer
shows it large: the viewer says so on its own publish connection's data channel, which Janus
relays to the publisher (media/publish_size.py)."""

from __future__ import annotations

import aiohttp
from PySide6.QtWidgets import QApplication

from media.call import Call
from media.config import JanusBackend
from media.devices import TestPatternTrack, ToneTrack
from media.signaling.janus import JanusSignaling
from media.state import CallState
from tests.fixtures.janus import ROOM, JanusProcess
from tests.media.netns.engines import FAST, run_in_qt, until


def janus_call(http: aiohttp.ClientSession, url: str, name: str, tag: int) -> Call:
    """A HopDesk call in the test room sending a 1280×720 test pattern stamped `tag`."""
    backend = JanusBackend(url, ROOM)
    return Call(
        lambda: JanusSignaling(http, backend, name),
        ice_servers=(),  # never aiortc's public STUN default
        video=TestPatternTrack(tag, 1280, 720),
        audio=ToneTrack(),
        backoff=FAST,
    )


def received_size(call: Call, peer: str) -> tuple[int, int] | None:
    """The size of the newest decoded frame from `peer`."""
    video = call.video(peer)
    frame = video.last_frame if video else None
    return (frame.width, frame.height) if frame is not None else None


def test_a_site_shown_large_publishes_720p_and_360p_after(
    janus: JanusProcess, qapp: QApplication
) -> None:
    async def scenario() -> None:
        async with aiohttp.ClientSession() as http:
            site = janus_call(http, janus.url, "Site", 41)
            viewer = janus_call(http, janus.url, "Viewer", 42)
            try:
                site.join()
                await until(lambda: site.status.state is CallState.CONNECTED, "site in")
                viewer.join()
                await until(lambda: len(viewer.participants()) == 1, "the site's feed")
                (feed,) = viewer.participants()
                await until(lambda: received_size(viewer, feed) is not None, "first frame")
                assert received_size(viewer, feed) == (640, 360)  # a tile by default

                viewer.show_video({feed: 720})  # the big tile
                await until(lambda: received_size(viewer, feed) == (1280, 720), "720p")

                viewer.show_video({feed: 200})  # back among the tiles
                await until(lambda: received_size(viewer, feed) == (640, 360), "360p again")
            finally:
                await viewer.close()
                await site.close()
            assert viewer.task_count() == site.task_count() == 0

    run_in_qt(qapp, scenario(), within=120)
