"""The call widget without media: its banner follows a real call that cannot reach its server
(a closed port: reconnecting with a countdown, in Vietnamese), tiles paint names, badges and
video, and the toolbar's shortcuts are in the tooltips."""

from __future__ import annotations

import re
import socket
from typing import Any

import aiohttp
import pytest
from av import VideoFrame
from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QContextMenuEvent
from PySide6.QtWidgets import QApplication

from media.call import Backoff, Call
from media.config import RoomBackend
from media.devices import TestPatternTrack, ToneTrack
from media.signaling.room import RoomSignaling
from media.state import CallState
from media.video import to_qvideoframe
from tests.ui.conftest import until
from ui.call.tile import BACKGROUND, VideoTile, initials
from ui.call.widget import CallWidget


@pytest.fixture
def closed_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_banner_counts_down_to_the_next_attempt_in_vietnamese(
    aio: Any, qapp: QApplication, vietnamese: None, closed_port: int
) -> None:
    async def scenario() -> None:
        async with aiohttp.ClientSession() as http:
            backend = RoomBackend(f"ws://127.0.0.1:{closed_port}/api/v1/rooms/x", "x")
            call = Call(
                lambda: RoomSignaling(http, backend, "token"),
                video=TestPatternTrack(1),
                audio=ToneTrack(),
                backoff=Backoff(base=30.0, cap=30.0),  # 15–30 s: the countdown shows
            )
            widget = CallWidget(call)
            widget.show()
            assert widget.banner.label.text() == "Đang kết nối vào cuộc họp…"
            call.join()
            await until(lambda: call.status.state is CallState.RECONNECTING)
            await until(lambda: "giây" in widget.banner.label.text())
            shown = re.fullmatch(
                r"Mất kết nối\. Sẽ kết nối lại sau (\d+) giây…", widget.banner.label.text()
            )
            assert shown is not None
            assert 14 <= int(shown.group(1)) <= 30  # the backoff's 15–30 s, counting down
            assert widget.banner.isVisible()
            assert not widget.banner.button.isVisible()  # retrying by itself: nothing to click
            assert widget.mute.toolTip() == "Tắt micrô (Ctrl+D)"
            assert widget.camera.toolTip() == "Bật hoặc tắt camera (Ctrl+E)"
            await call.close()
            assert widget.banner.label.text() == "Bạn đã rời cuộc họp."
            widget.close()

    aio(scenario())


def test_a_refused_call_says_why_and_offers_to_try_again(
    aio: Any, qapp: QApplication, vietnamese: None
) -> None:
    widget = CallWidget(Call(lambda: None))  # type: ignore[arg-type, return-value]
    widget.show()
    assert not widget.mute.isEnabled()  # no devices: nothing to switch
    assert widget.mute.toolTip() == "Không có micrô"
    assert widget.camera.toolTip() == "Không có camera"
    widget.banner.show_state(CallState.FAILED, "Máy chủ cuộc họp không cho bạn vào cuộc gọi này.")
    assert widget.banner.label.text() == (
        "Không tham gia được cuộc họp. Máy chủ cuộc họp không cho bạn vào cuộc gọi này."
    )
    assert widget.banner.button.isVisible()
    assert widget.banner.button.text() == "Thử lại"
    widget.close()


def _frame(luma: int) -> VideoFrame:
    frame = VideoFrame(width=64, height=36, format="yuv420p")
    for plane, value in zip(frame.planes, (luma, 128, 128), strict=True):
        plane.update(bytes([value]) * plane.buffer_size)
    return frame


def test_a_tile_paints_the_frame_or_initials_and_its_badges(qapp: QApplication) -> None:
    tile = VideoTile("p1", "Nguyễn Văn An")
    tile.resize(320, 180)
    assert initials(tile.name) == "NA"
    tile.frame = to_qvideoframe(_frame(235))  # white
    image = tile.grab().toImage()
    assert QColor(image.pixel(160, 60)).lightness() > 200  # the video, not the background
    tile.set_state(mic_on=False, camera_on=False, speaking=True, pinned=False)
    assert tile._badges() == ["Mic off", "Camera off"]
    image = tile.grab().toImage()
    assert image.pixelColor(10, 60) == BACKGROUND  # camera off: no video painted
    assert image.pixelColor(160, 90) != BACKGROUND  # the initials' circle instead
    assert image.pixelColor(1, 1).green() > 150  # speaking: a green frame


def test_past_a_page_of_tiles_the_grid_turns_pages(qapp: QApplication) -> None:
    widget = CallWidget(Call(lambda: None))  # type: ignore[arg-type, return-value]
    widget.resize(1280, 800)
    widget.show()
    for i in range(20):  # with the self view: 21 tiles, two pages
        widget._add_tile(f"p{i:02}", f"Điểm cầu {i + 1}")
    assert widget.buttons[widget.next_page].isHidden()  # the speaker layout has no pages
    widget.grid.trigger()
    assert not widget.buttons[widget.next_page].isHidden()
    assert widget.next_page.text() == "Page 1/2"
    first = {k for k, t in widget.area.tiles.items() if not t.isHidden()}
    assert len(first) == 16
    widget.next_page.trigger()
    second = {k for k, t in widget.area.tiles.items() if not t.isHidden()}
    assert second == set(widget.area.tiles) - first
    assert widget.next_page.text() == "Page 2/2"
    assert "F11" in widget.full_screen.toolTip()
    for i in range(10):
        widget._remove_tile(f"p{i:02}")
    assert widget.buttons[widget.next_page].isHidden()  # one page again
    assert widget.area.page == 0
    widget.close()


def test_a_pin_follows_the_participant_back_under_a_new_peer_id(qapp: QApplication) -> None:
    """A rejoin after a dropped link brings everyone back under new peer ids: the pinned
    participant's new tile is pinned again; a pin the user moved meanwhile stays where it is."""
    widget = CallWidget(Call(lambda: None))  # type: ignore[arg-type, return-value]
    widget._add_tile("old-b", "Trần Thị Bình")
    widget._add_tile("old-c", "Lê Văn Cường")
    widget.toggle_pin("old-b")
    widget._remove_tile("old-b")
    widget._remove_tile("old-c")
    assert widget.area.pinned is None
    widget._add_tile("new-c", "Lê Văn Cường")
    assert widget.area.pinned is None
    widget._add_tile("new-b", "Trần Thị Bình")
    assert widget.area.pinned == "new-b"
    widget._remove_tile("new-b")
    widget.toggle_pin("new-c")  # the user's own choice meanwhile wins
    widget._add_tile("newer-b", "Trần Thị Bình")
    assert widget.area.pinned == "new-c"
    widget.close()


def test_the_toolbar_wraps_in_vietnamese_instead_of_cutting_its_texts(
    qapp: QApplication, vietnamese: None
) -> None:
    """Beside the meeting room's panels the call gets ~620 px of a 1280×800 window: every
    button keeps its whole text (a row of nine squeezed them to "Chia … hình")."""
    widget = CallWidget(Call(lambda: None))  # type: ignore[arg-type, return-value]
    widget.resize(620, 600)
    widget.show()
    qapp.processEvents()
    assert widget.share.text() == "Chia sẻ màn hình"
    shown = [b for b in widget.buttons.values() if not b.isHidden()]
    assert all(b.width() >= b.sizeHint().width() for b in shown)
    assert all(widget.rect().contains(b.geometry()) for b in shown)
    assert len({b.y() for b in shown}) == 2  # wrapped onto a second row
    widget.close()


def test_full_screen_says_how_to_leave_and_esc_leaves_it(
    qapp: QApplication, vietnamese: None
) -> None:
    widget = CallWidget(Call(lambda: None))  # type: ignore[arg-type, return-value]
    widget.show()
    assert not widget.exit_full_screen.isEnabled()  # Esc is nobody's business in a window
    widget.full_screen.trigger()
    assert widget.window().isFullScreen()
    assert widget.full_screen.text() == "Thoát toàn màn hình"
    assert widget.full_screen.toolTip() == "Trở lại cửa sổ (F11 hoặc Esc)"
    widget.exit_full_screen.trigger()  # what Esc does
    assert not widget.window().isFullScreen()
    assert widget.full_screen.text() == "Toàn màn hình"
    widget.window().showFullScreen()  # not through the button: the button follows anyway
    assert widget.full_screen.isChecked()
    assert widget.exit_full_screen.isEnabled()
    widget.window().showNormal()
    assert not widget.full_screen.isChecked()
    widget.close()


def _right_click() -> QContextMenuEvent:
    return QContextMenuEvent(QContextMenuEvent.Reason.Mouse, QPoint(5, 5), QPoint(5, 5))


def test_a_tile_says_how_to_pin_it_and_its_menu_pins_it(
    qapp: QApplication, vietnamese: None
) -> None:
    """Pinning was a double-click nobody was told about: the tooltip says it, and the context
    menu does it too."""
    widget = CallWidget(Call(lambda: None))  # type: ignore[arg-type, return-value]
    widget._add_tile("b", "Trần Thị Bình")
    widget.show()
    tile = widget.area.tiles["b"]
    assert tile.toolTip() == "Nhấp đúp hoặc nhấp chuột phải để ghim vào ô lớn"
    tile.contextMenuEvent(_right_click())
    assert tile.menu is not None
    (action,) = tile.menu.actions()
    assert action.text() == "Ghim vào ô lớn"
    action.trigger()
    assert widget.area.pinned == "b"
    assert tile.toolTip() == "Nhấp đúp hoặc nhấp chuột phải để bỏ ghim"
    tile.menu.close()
    tile.contextMenuEvent(_right_click())
    (action,) = tile.menu.actions()
    assert action.text() == "Bỏ ghim"
    action.trigger()
    assert widget.area.pinned is None
    tile.menu.close()
    widget.close()
