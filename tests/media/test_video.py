"""media/video.py: decoded frames reach a QVideoSink with their planes intact."""

from __future__ import annotations

from av import VideoFrame
from PySide6.QtMultimedia import QVideoFrame, QVideoFrameFormat, QVideoSink

from media.call import Backoff
from media.devices import TestPatternTrack
from media.video import to_qvideoframe


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
