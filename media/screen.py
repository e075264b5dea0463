"""Screen sharing: a video track of a screen or of one window at its native resolution and a low
frame rate, so text stays readable within the bitrate a call has (the issue: "a screen or a
window, sent at native resolution and low frame rate").

What can be shared (`list_sources`): every screen Qt knows (`QGuiApplication.screens()`), this
app's own windows (a paper open in the reader is what a meeting shows most), and on Windows the
other programs' windows (`EnumWindows`). Qt lists no foreign windows elsewhere; on X11 they could
come from `_NET_CLIENT_LIST` and under Wayland only from the desktop portal, later.

Grabbing sits behind `ScreenGrabber`, one method: a platform capture (PipeWire portal, DXGI) can
replace `QtScreenGrabber` without the call noticing. Qt's grab must run on the GUI thread
(QScreen/QPixmap are GUI-thread objects; a grab from another thread hung under xcb here), so only
the grab runs there — measured under Xvfb: a 1920×1080 screen 16 ms median, 86 ms worst; a
1200×800 window 6 ms; `toImage()` of the result ~0 ms (the pixels are shared) — and the
conversion to a YUV frame, the costly part, runs in a worker thread. The track spends at most
`GUI_SHARE` of the GUI thread's time on grabs: a slow grab lowers the frame rate rather than
the app's responsiveness (every grab over the stall watchdog's threshold is logged by it too).
"""

from __future__ import annotations

import asyncio
import fractions
import logging
import sys
import time
from dataclasses import dataclass
from typing import Protocol

from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import VideoFrame
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QScreen, QWindow

log = logging.getLogger(__name__)

FPS = 5.0
VIDEO_RATE = 90_000
COPY_SLICE = 1 << 19  # bytes copied while holding the GIL at once (~1–2 ms here)
GUI_SHARE = 0.05  # at most this part of the GUI thread's time goes to grabbing


@dataclass(frozen=True, slots=True)
class ScreenSource:
    """Something that can be shared: a screen (`window == 0`) or one window on a screen."""

    kind: str  # "screen" or "window"
    name: str  # the screen's name, or the window's title
    screen: str  # the name of the screen it is (on)
    window: int = 0  # the native window id (HWND, X11 window) of a window
    width: int = 0  # the screen's size in device pixels (0 for a window)
    height: int = 0


def list_sources(exclude: tuple[int, ...] = ()) -> list[ScreenSource]:
    """What can be shared now: screens first (the primary first), then windows; windows whose
    native id is in `exclude` (the call's own window: a hall of mirrors) are left out."""
    primary = QGuiApplication.primaryScreen()
    screens = sorted(QGuiApplication.screens(), key=lambda s: s != primary)
    sources = []
    for screen in screens:
        size = screen.size() * screen.devicePixelRatio()
        sources.append(
            ScreenSource("screen", screen.name(), screen.name(), 0, size.width(), size.height())
        )
    fallback = primary.name() if primary is not None else ""
    for window in QGuiApplication.topLevelWindows():
        if not _shareable(window) or int(window.winId()) in exclude:
            continue
        screen = window.screen()
        name = screen.name() if screen is not None else fallback
        sources.append(ScreenSource("window", window.title(), name, int(window.winId())))
    own = {s.window for s in sources}
    for handle, title in _foreign_windows():
        if handle not in own and handle not in exclude:
            sources.append(ScreenSource("window", title, fallback, handle))
    return sources


def _shareable(window: QWindow) -> bool:
    kind = window.type()
    return (
        window.isVisible()
        and bool(window.title())
        and kind in (Qt.WindowType.Window, Qt.WindowType.Dialog)
    )


def _foreign_windows() -> list[tuple[int, str]]:
    """Other programs' visible, titled top-level windows where the platform lists them."""
    if sys.platform == "win32":
        return _windows_of_win32()
    return []


if sys.platform == "win32":
    import ctypes
    from ctypes import wintypes

    def _windows_of_win32() -> list[tuple[int, str]]:
        user32 = ctypes.windll.user32
        found: list[tuple[int, str]] = []

        @ctypes.WINFUNCTYPE(wintypes.BOOL, wintypes.HWND, wintypes.LPARAM)
        def visit(hwnd: int, _param: int) -> bool:
            length = user32.GetWindowTextLengthW(hwnd)
            if user32.IsWindowVisible(hwnd) and length and not user32.IsIconic(hwnd):
                title = ctypes.create_unicode_buffer(length + 1)
                user32.GetWindowTextW(hwnd, title, length + 1)
                found.append((int(hwnd), title.value))
            return True

        user32.EnumWindows(visit, 0)
        return found


class ScreenGrabber(Protocol):
    """Takes a picture of what is to be shared."""

    def grab(self) -> QImage:
        """The screen now (a null image when there is nothing to grab)."""
        ...


class QtScreenGrabber:
    """A screen or a window through `QScreen.grabWindow`; GUI thread only. Without a source,
    the primary screen."""

    def __init__(self, source: ScreenSource | None = None) -> None:
        self.source = source

    def _screen(self) -> QScreen | None:
        if self.source is not None:
            for screen in QGuiApplication.screens():
                if screen.name() == self.source.screen:
                    return screen
        return QGuiApplication.primaryScreen()

    def grab(self) -> QImage:
        """The screen or window now, or a null image when it is gone."""
        screen = self._screen()
        if screen is None:
            return QImage()
        window = self.source.window if self.source is not None else 0
        return screen.grabWindow(window).toImage()  # toImage: shares the pixels, no copy


def image_to_frame(image: QImage) -> VideoFrame:
    """A YUV 4:2:0 frame of an image (cropped to even sides, as 4:2:0 needs); thread-safe.

    Run in a worker thread, it must still not hold the GIL long (the GUI thread waits for it):
    the pixels are copied in slices of about `COPY_SLICE` bytes (a 4K screen is 33 MB, ~100 ms
    of copying here in one go), and libswscale converts without the GIL."""
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    width, height = image.width() & ~1, image.height() & ~1
    frame = VideoFrame(width=width, height=height, format="bgra")
    target = memoryview(frame.planes[0])
    source = memoryview(image.constBits())
    line, stride, row = frame.planes[0].line_size, image.bytesPerLine(), width * 4
    if stride == line:
        size = stride * height
        for start in range(0, size, COPY_SLICE):
            end = min(size, start + COPY_SLICE)
            target[start:end] = source[start:end]
    else:
        for y in range(height):  # row copies, not pixels
            target[y * line : y * line + row] = source[y * stride : y * stride + row]
    return frame.reformat(format="yuv420p")


class ScreenCaptureTrack(MediaStreamTrack):
    """A screen or window as a video track at up to `fps` frames a second."""

    kind = "video"

    def __init__(self, grabber: ScreenGrabber | None = None, fps: float = FPS) -> None:
        super().__init__()
        self._grabber = grabber or QtScreenGrabber()
        self._interval = 1.0 / fps
        self._next: float | None = None
        self._start: float | None = None
        self.grab_seconds = 0.0  # the last grab's cost on the GUI thread

    @property
    def interval(self) -> float:
        """Seconds between two frames: 1/fps, longer when grabbing is slow."""
        return max(self._interval, self.grab_seconds / GUI_SHARE)

    async def recv(self) -> VideoFrame:
        """The next picture, paced to the frame rate; converted in a worker thread."""
        if self.readyState != "live":
            raise MediaStreamError
        now = time.monotonic()
        if self._start is None:
            self._start = self._next = now
        assert self._next is not None
        await asyncio.sleep(max(0.0, self._next - now))
        began = time.perf_counter()
        image = self._grabber.grab()  # the GUI thread's part
        self.grab_seconds = time.perf_counter() - began
        self._next = max(self._next + self.interval, time.monotonic())
        if image.isNull() or image.width() < 2 or image.height() < 2:
            image = QImage(640, 360, QImage.Format.Format_RGB32)
            image.fill(0)
        frame = await asyncio.get_running_loop().run_in_executor(None, image_to_frame, image)
        frame.pts = int((time.monotonic() - self._start) * VIDEO_RATE)
        frame.time_base = fractions.Fraction(1, VIDEO_RATE)
        return frame
