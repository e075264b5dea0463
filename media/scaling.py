"""What size a mesh peer sends its camera at: 640×360 for tiles, more only when someone shows
it large (issue 13: "publish 640×360 by default and more only when someone shows this site
large").

In a mesh each peer connection has its own encoder, fed by its own subscription to the camera
(media/call.py). The receiver tells the sender how large it shows the sender's video — the
height of its largest tile of them, through the room relay (`media.signaling.View`) — and the
sender scales that connection's frames before its encoder: 360 lines for tiles (and for tiles
not on screen at all, since no frames would read as a camera that is off), 720 for a big tile,
the camera's own size above. Fewer pixels to encode is most of the CPU a sender spends, and most
of the bitrate a receiver downloads. A shared screen is never scaled: it goes at its native
size so text stays readable. Scaling runs in a thread (libswscale releases the GIL).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiortc.mediastreams import MediaStreamTrack
from av import VideoFrame

TILE_HEIGHT = 360  # what a tile gets: 640×360
STEPS = (TILE_HEIGHT, 720)  # above the last: the camera's own size


def send_height(shown: int) -> int | None:
    """The height to send at for a video shown `shown` pixels high (0: not shown); None for the
    source's own size. In steps, so resizing a window does not restart the encoder each
    pixel."""
    for step in STEPS:
        if shown <= step:
            return step
    return None


def scaled_size(width: int, height: int, limit: int | None) -> tuple[int, int]:
    """`width`×`height` shrunk to at most `limit` lines, aspect kept, sides even (4:2:0);
    never enlarged."""
    if limit is None or height <= limit:
        return width, height
    return max(2, round(width * limit / height) & ~1), max(2, limit & ~1)


class ScaledTrack(MediaStreamTrack):
    """`source`'s frames at most `limit()` lines high (asked at every frame), when `active()`."""

    kind = "video"

    def __init__(
        self,
        source: MediaStreamTrack,
        limit: Callable[[], int | None],
        active: Callable[[], bool] = lambda: True,
    ) -> None:
        super().__init__()
        self._source = source
        self._limit = limit
        self._active = active

    async def recv(self) -> VideoFrame:
        """The source's next frame, smaller when it is larger than wanted."""
        frame = await self._source.recv()
        assert isinstance(frame, VideoFrame)
        if not self._active():
            return frame
        width, height = scaled_size(frame.width, frame.height, self._limit())
        if (width, height) == (frame.width, frame.height):
            return frame
        loop = asyncio.get_running_loop()
        small = await loop.run_in_executor(None, _reformat, frame, width, height)
        small.pts, small.time_base = frame.pts, frame.time_base
        return small

    def stop(self) -> None:
        """Stops this track and its source (a relay's subscription: the camera goes on)."""
        super().stop()
        self._source.stop()


def _reformat(frame: VideoFrame, width: int, height: int) -> VideoFrame:
    return frame.reformat(width=width, height=height, format="yuv420p")
