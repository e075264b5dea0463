"""Decoded video to Qt: each remote track feeds one `QVideoSink` a widget can show.

aiortc decodes in its executor and hands us `av.VideoFrame`s; their YUV 4:2:0 planes are copied
into a `QVideoFrame` whole (or row by row when the strides differ): memory copies, no per-pixel
Python. The copy runs in the default executor, off the GUI thread (DESIGN §3).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import VideoFrame
from PySide6.QtCore import QSize
from PySide6.QtMultimedia import QVideoFrame, QVideoFrameFormat, QVideoSink

log = logging.getLogger(__name__)


def to_qvideoframe(frame: VideoFrame) -> QVideoFrame:
    """A Qt copy of a decoded frame (converted to YUV420P first when it is not already)."""
    if frame.format.name != "yuv420p":
        frame = frame.reformat(format="yuv420p")
    size = QSize(frame.width, frame.height)
    out = QVideoFrame(QVideoFrameFormat(size, QVideoFrameFormat.PixelFormat.Format_YUV420P))
    if not out.map(QVideoFrame.MapMode.WriteOnly):
        raise RuntimeError("cannot map a new video frame")
    try:
        for index, plane in enumerate(frame.planes):
            target = out.bits(index)
            assert isinstance(target, memoryview)  # mapped WriteOnly: writable
            source = memoryview(plane)
            src_stride, dst_stride = plane.line_size, out.bytesPerLine(index)
            rows = plane.height
            if src_stride == dst_stride:
                target[: rows * src_stride] = source[: rows * src_stride]
            else:
                width = min(plane.width, dst_stride)
                for row in range(rows):
                    s, d = row * src_stride, row * dst_stride
                    target[d : d + width] = source[s : s + width]
    finally:
        out.unmap()
    out.setStartTime(-1)
    return out


class RemoteVideo:
    """One remote video track shown through a `QVideoSink`; keeps the last decoded frame."""

    def __init__(self, peer: str) -> None:
        self.peer = peer
        self.sink = QVideoSink()
        self.frames = 0
        self.last_frame: VideoFrame | None = None
        self.last_at: float | None = None  # time.monotonic() of the last frame

    async def run(self, track: MediaStreamTrack) -> None:
        """Feed the sink until the track ends; the caller owns (and cancels) this task."""
        loop = asyncio.get_running_loop()
        with contextlib.suppress(MediaStreamError):
            while True:
                frame = await track.recv()
                if not isinstance(frame, VideoFrame):
                    continue
                qt_frame = await loop.run_in_executor(None, to_qvideoframe, frame)
                self.last_frame = frame
                self.last_at = time.monotonic()
                self.frames += 1
                self.sink.setVideoFrame(qt_frame)
        log.debug("video of %s ended after %d frames", self.peer, self.frames)
