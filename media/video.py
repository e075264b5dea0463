"""Decoded video to Qt: each remote track feeds one `QVideoSink` a widget can show.

aiortc decodes each track in a thread of its own and hands us `av.VideoFrame`s; their YUV 4:2:0
planes are copied into a `QVideoFrame` whole (or row by row when the strides differ): memory
copies, no per-pixel Python. The copy runs in the default executor, off the GUI thread (DESIGN
§3). Nothing on the way queues without bound: the decoder's input is `media.receiver`'s, and of
the decoded frames only the newest is shown (`RemoteVideo`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass

from aiortc import RTCRtpReceiver
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import VideoFrame
from PySide6.QtCore import QSize
from PySide6.QtMultimedia import QVideoFrame, QVideoFrameFormat, QVideoSink

from media.receiver import DecodeBacklog, install

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


@dataclass(frozen=True, slots=True)
class Shown:
    """Where the time of the frame on the sink went (time.time() seconds): complete in the
    jitter buffer, taken by the decoder thread, decoded frame read here, on the sink (None:
    not known, e.g. no bounded decoder queue)."""

    arrived: float | None
    decoding: float | None
    decoded: float
    shown: float


class RemoteVideo:
    """One remote video track shown through a `QVideoSink`; keeps the last decoded frame.

    Real time: the newest decoded frame is the one shown. A reader takes every frame aiortc
    decodes as it comes (its track queue is unbounded); the sink gets the newest of them each
    time the previous one is on it, and the ones in between are skipped, not shown late.
    """

    def __init__(self, peer: str) -> None:
        self.peer = peer
        self.sink = QVideoSink()
        self.frames = 0  # frames shown
        self.decoded = 0  # frames aiortc decoded (shown or skipped)
        self.skipped = 0  # decoded frames a newer one replaced before it was shown
        self.last_frame: VideoFrame | None = None
        self.last_at: float | None = None  # time.monotonic() of the last frame
        self.last_shown: Shown | None = None
        self.backlog: DecodeBacklog | None = None
        self.receiver: RTCRtpReceiver | None = None
        self._newest: tuple[VideoFrame, float] | None = None
        self._arrived = asyncio.Event()
        self._ended = False

    def bound(self, receiver: RTCRtpReceiver | None) -> None:
        """Bound the decoder queue of the track's receiver (call before it connects)."""
        self.receiver = receiver
        if receiver is not None:
            self.backlog = install(receiver)

    async def run(self, track: MediaStreamTrack) -> None:
        """Feed the sink until the track ends; the caller owns (and cancels) this task."""
        self._ended = False
        reader = asyncio.ensure_future(self._read(track))
        try:
            await self._show()
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, MediaStreamError):
                await reader
        log.debug("video of %s ended after %d frames", self.peer, self.frames)

    async def _read(self, track: MediaStreamTrack) -> None:
        try:
            while True:
                frame = await track.recv()
                if not isinstance(frame, VideoFrame):
                    continue
                self.decoded += 1
                if self._newest is not None:
                    self.skipped += 1
                self._newest = (frame, time.time())
                self._arrived.set()
        finally:
            self._ended = True
            self._arrived.set()

    async def _show(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self._arrived.wait()
            self._arrived.clear()
            if self._newest is None:
                if self._ended:
                    return
                continue
            (frame, decoded), self._newest = self._newest, None
            qt_frame = await loop.run_in_executor(None, to_qvideoframe, frame)
            self.last_frame = frame
            self.last_at = time.monotonic()
            self.frames += 1
            self._note(frame, decoded)
            self.sink.setVideoFrame(qt_frame)

    def _note(self, frame: VideoFrame, decoded: float) -> None:
        times = self.backlog.times(frame.pts) if self.backlog and frame.pts is not None else None
        arrived, decoding = (times.arrived, times.decoding) if times else (None, None)
        self.last_shown = Shown(arrived, decoding, decoded, time.time())
