"""media/video.py: decoded frames reach a QVideoSink with their planes intact."""

from __future__ import annotations

import asyncio
import contextlib

from aiortc.mediastreams import MediaStreamTrack
from av import VideoFrame
from PySide6.QtMultimedia import QVideoFrame, QVideoFrameFormat, QVideoSink

from media.call import Backoff
from media.devices import TestPatternTrack, read_stamp
from media.video import RemoteVideo, to_qvideoframe


async def test_planes_are_copied_exactly() -> None:
    frame = await TestPatternTrack(tag=3).recv()
    qt = to_qvideoframe(frame)
    assert qt.pixelFormat() is QVideoFrameFormat.PixelFormat.Format_YUV420P
    assert (qt.width(), qt.height()) == (640, 360)
    assert qt.map(QVideoFrame.MapMode.ReadOnly)
    try:
        for index, plane in enumerate(frame.planes):
            stride = qt.bytesPerLine(index)
            got = bytes(qt.bits(index))
            want = bytes(plane)
            for row in (0, plane.height // 2, plane.height - 1):
                a, b = row * stride, row * plane.line_size
                assert got[a : a + plane.width] == want[b : b + plane.width]
    finally:
        qt.unmap()


def test_other_formats_are_converted_and_reach_the_sink() -> None:
    rgb = VideoFrame(width=64, height=48, format="rgb24")
    rgb.planes[0].update(bytes(range(256)) * (rgb.planes[0].buffer_size // 256))
    sink = QVideoSink()
    seen: list[QVideoFrame] = []
    sink.videoFrameChanged.connect(seen.append)
    sink.setVideoFrame(to_qvideoframe(rgb))
    assert [(f.width(), f.height()) for f in seen] == [(64, 48)]


def test_backoff_is_jittered_and_capped() -> None:
    backoff = Backoff(base=1.0, cap=8.0)
    delays = [backoff.delay(n) for n in range(8)]
    assert 0.5 <= delays[0] <= 1.0
    assert all(0.5 * min(8.0, 2.0**n) <= d <= min(8.0, 2.0**n) for n, d in enumerate(delays))
    assert len({backoff.delay(3) for _ in range(20)}) > 1  # not all peers retry in step


class _Burst(MediaStreamTrack):
    """A remote track whose decoder delivers `frames` at once (a burst after a stall)."""

    kind = "video"

    def __init__(self, frames: list[VideoFrame]) -> None:
        super().__init__()
        self.frames = frames

    async def recv(self) -> VideoFrame:
        if not self.frames:
            await asyncio.sleep(3600)  # nothing more arrives
        return self.frames.pop(0)


async def test_a_burst_of_decoded_frames_shows_the_newest_not_each_late() -> None:
    pattern = TestPatternTrack(tag=5)
    frames = [await pattern.recv() for _ in range(8)]
    newest = read_stamp(frames[-1])
    video = RemoteVideo("p")
    done = asyncio.Event()

    def shown(_frame: object) -> None:
        if video.last_frame is not None and read_stamp(video.last_frame) == newest:
            done.set()

    video.sink.videoFrameChanged.connect(shown)
    run = asyncio.ensure_future(video.run(_Burst(frames)))
    try:
        await asyncio.wait_for(done.wait(), 30)
    finally:
        run.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await run
    assert video.decoded == 8
    assert video.skipped > 0
    assert video.frames < 8  # the frames between were skipped, not shown late
