"""Share screen in the call window: with more than one thing to share, a picker lists the
screens and this app's windows (not the call's own window), in Vietnamese; the window picked is
what goes out, at its own size; Cancel shares nothing."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QApplication, QLabel

from media.call import Call
from media.devices import TestPatternTrack
from media.screen import QtScreenGrabber, ScreenCaptureTrack
from tests.ui.conftest import until
from ui.call.widget import CallWidget


def _call() -> Call:
    """A call that never joins: what it sends is all this test looks at."""
    return Call(lambda: None, video=TestPatternTrack(5), screen=ScreenCaptureTrack)  # type: ignore[arg-type, return-value]


def test_the_picker_shares_the_window_picked(
    aio: Any, qapp: QApplication, vietnamese: None
) -> None:
    async def scenario() -> None:
        call = _call()
        widget = CallWidget(call)
        widget.setWindowTitle("Giao ban")
        widget.show()
        paper = QLabel("Báo cáo")
        paper.setWindowTitle("Tài liệu họp")
        paper.resize(640, 480)
        paper.show()
        qapp.processEvents()
        try:
            widget.share.trigger()
            picker = widget.picker
            assert picker is not None
            await until(picker.isVisible)
            assert picker.windowTitle() == "Chia sẻ màn hình"
            rows = [picker.list.item(i).text() for i in range(picker.list.count())]
            assert rows[0].startswith("Màn hình 1: ")
            assert "Cửa sổ: Tài liệu họp" in rows
            assert not any("Giao ban" in r for r in rows)  # the call's own window: no mirrors
            assert not call.sharing_screen  # nothing goes out before a choice
            assert not widget.share.isChecked()
            picker.list.setCurrentRow(rows.index("Cửa sổ: Tài liệu họp"))
            picker.accept()
            assert call.sharing_screen
            assert widget.share.isChecked()
            track = call.camera.source
            assert isinstance(track, ScreenCaptureTrack)
            frame = await track.recv()
            ratio = paper.devicePixelRatioF()
            assert (frame.width, frame.height) == (640 * ratio, 480 * ratio)  # the window, native
            widget.share.trigger()  # stop
            assert not call.sharing_screen

            widget.share.trigger()
            cancelled = widget.picker
            assert cancelled is not None
            assert cancelled is not picker
            cancelled.reject()
            assert not call.sharing_screen
            assert not widget.share.isChecked()
        finally:
            paper.close()
            widget.close()
            await call.close()

    aio(scenario())


def test_with_one_screen_and_no_window_it_shares_at_once(aio: Any, qapp: QApplication) -> None:
    async def scenario() -> None:
        call = _call()
        widget = CallWidget(call)
        widget.show()
        try:
            widget.share.trigger()  # only the call's own window is open: nothing to choose
            assert widget.picker is None
            assert call.sharing_screen
            track = call.camera.source
            assert isinstance(track, ScreenCaptureTrack)
            assert isinstance(track._grabber, QtScreenGrabber)
        finally:
            widget.close()
            await call.close()

    aio(scenario())
