"""Screen sharing's sources and track: screens and this app's windows can be picked, a window is
grabbed at its own size, the conversion runs off the GUI thread and a slow grab lowers the frame
rate instead of stalling the app."""

from __future__ import annotations

import threading
import time

import pytest
from av import VideoFrame
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QLabel

from media import screen
from media.screen import GUI_SHARE, QtScreenGrabber, ScreenCaptureTrack, list_sources


def test_screens_and_this_apps_windows_can_be_shared(qapp: QApplication) -> None:
    paper = QLabel("Báo cáo tình hình kinh tế - xã hội")
    paper.setWindowTitle("Tài liệu họp")
    paper.resize(700, 500)
    paper.show()
    call_window = QLabel("the call")
    call_window.setWindowTitle("Cuộc họp")
    call_window.show()
    untitled = QLabel("no title")
    untitled.show()
    hidden = QLabel("hidden")
    hidden.setWindowTitle("Hidden")
    qapp.processEvents()
    try:
        sources = list_sources(exclude=(int(call_window.winId()),))
        screens = [s for s in sources if s.kind == "screen"]
        windows = [s for s in sources if s.kind == "window"]
        assert screens
        assert screens[0].name == qapp.primaryScreen().name()  # the primary first
        assert screens[0].width > 0
        assert [w.name for w in windows] == ["Tài liệu họp"]  # not the call, untitled, hidden
        picture = QtScreenGrabber(windows[0]).grab()
        ratio = paper.devicePixelRatioF()
        assert (picture.width(), picture.height()) == (700 * ratio, 500 * ratio)
        whole = QtScreenGrabber(screens[0]).grab()
        assert (whole.width(), whole.height()) == (screens[0].width, screens[0].height)
    finally:
        for widget in (paper, call_window, untitled, hidden):
            widget.close()


class _Grabber:
    """A screen whose grab costs `cost` seconds of the (GUI) thread that calls it."""

    def __init__(self, width: int, height: int, cost: float = 0.0) -> None:
        self.image = QImage(width, height, QImage.Format.Format_RGB32)
        self.image.fill(0x336699)
        self.cost = cost

    def grab(self) -> QImage:
        time.sleep(self.cost)
        return self.image


async def test_a_4k_screen_goes_at_native_size_converted_off_the_gui_thread(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[int] = []
    convert = screen.image_to_frame

    def spy(image: QImage) -> VideoFrame:  # only notes where the real conversion runs
        threads.append(threading.get_ident())
        return convert(image)

    monkeypatch.setattr(screen, "image_to_frame", spy)
    track = ScreenCaptureTrack(_Grabber(3840, 2160), fps=5)
    for _ in range(2):
        frame = await track.recv()
        assert (frame.width, frame.height) == (3840, 2160)  # native size
        assert frame.format.name == "yuv420p"
    track.stop()
    assert threads
    assert threading.get_ident() not in threads  # never on the GUI (the loop's) thread


async def test_a_slow_grab_lowers_the_frame_rate(qapp: QApplication) -> None:
    track = ScreenCaptureTrack(_Grabber(640, 360, cost=0.04), fps=5)
    await track.recv()
    assert track.grab_seconds >= 0.04
    assert track.interval >= 0.04 / GUI_SHARE  # ≤ 5 % of the GUI thread: 0.8 s, not 0.2 s
    began = time.monotonic()
    await track.recv()
    assert time.monotonic() - began >= 0.7
    track.stop()
