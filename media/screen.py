"""Screen sharing: a video track of the screen at its native resolution and a low frame rate, so
text stays readable within the bitrate a call has (the issue: "sent at native resolution and low
frame rate").

Grabbing sits behind `ScreenGrabber`, one method: a platform capture (PipeWire portal, DXGI) can
replace `QtScreenGrabber` without the call noticing. Qt's grab must run on the GUI thread
(QScreen/QPixmap are GUI-thread objects); in the app that is the asyncio loop's thread (qasync),
so `recv` grabs there — a memory copy of the frame buffer — and converts the picture to YUV in an
executor thread, never on the GUI thread.
"""

from __future__ import annotations

import asyncio
import fractions
import time
from typing import Protocol

from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import VideoFrame
from PySide6.QtGui import QGuiApplication, QImage

FPS = 5.0
VIDEO_RATE = 90_000


class ScreenGrabber(Protocol):
    """Takes a picture of what is to be shared."""

    def grab(self) -> QImage:
        """The screen now (a null image when there is nothing to grab)."""
        ...


class QtScreenGrabber:
    """The primary screen through `QScreen.grabWindow(0)`; GUI thread only."""

    def grab(self) -> QImage:
        """The primary screen, or a null image without one."""
        screen = QGuiApplication.primaryScreen()
        if screen is None:
            return QImage()
        return screen.grabWindow(0).toImage()


def image_to_frame(image: QImage) -> VideoFrame:
    """A YUV 4:2:0 frame of an image (cropped to even sides, as 4:2:0 needs); thread-safe."""
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    width, height = image.width() & ~1, image.height() & ~1
    frame = VideoFrame(width=width, height=height, format="bgra")
    plane = frame.planes[0]
    source = memoryview(image.constBits())
    stride = image.bytesPerLine()
    if stride == plane.line_size and image.width() == width:
        plane.update(bytes(source[: stride * height]))
    else:
        rows = bytearray()
        for row in range(height):  # row copies, not pixels
            start = row * stride
            rows += source[start : start + width * 4].tobytes().ljust(plane.line_size, b"\0")
        plane.update(bytes(rows))
    return frame.reformat(format="yuv420p")


class ScreenCaptureTrack(MediaStreamTrack):
    """The screen as a video track at `fps` frames a second."""

    kind = "video"

    def __init__(self, grabber: ScreenGrabber | None = None, fps: float = FPS) -> None:
        super().__init__()
        self._grabber = grabber or QtScreenGrabber()
        self._interval = 1.0 / fps
        self._start: float | None = None
        self._count = 0

    async def recv(self) -> VideoFrame:
        """The next picture of the screen, paced to the frame rate."""
        if self.readyState != "live":
            raise MediaStreamError
        now = time.monotonic()
        if self._start is None:
            self._start = now
        else:
            await asyncio.sleep(max(0.0, self._start + self._count * self._interval - now))
        self._count += 1
        image = self._grabber.grab()
        if image.isNull() or image.width() < 2 or image.height() < 2:
            image = QImage(640, 360, QImage.Format.Format_RGB32)
            image.fill(0)
        frame = await asyncio.get_running_loop().run_in_executor(None, image_to_frame, image)
        frame.pts = int((time.monotonic() - self._start) * VIDEO_RATE)
        frame.time_base = fractions.Fraction(1, VIDEO_RATE)
        return frame
