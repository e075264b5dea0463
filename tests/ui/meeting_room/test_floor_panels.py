"""The floor's panels in the meeting room window, on the real core and the real server: a
delegate asks to speak and sees their place, the chair gives the floor (highlighted for
everyone) and runs the queue; chat to everyone and to one; the follow toggle with a real Reader
that follows the presenter until the user turns a page."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pymupdf
import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from desktop.app import Core
from tests.fixtures.server import ServerProcess
from tests.server.room_helpers import CHAIR, Room, open_room
from tests.ui.conftest import memory_secrets, until
from tests.ui.test_shell import make_core
from ui.meeting_room.chat_panel import ChatPanel
from ui.meeting_room.speak_panel import SpeakPanel
from ui.meeting_room.window import MeetingRoomWindow
from viewer import Reader, sha256_of_file
from viewer.annotations.store import MemoryAnnotationStore

pytestmark = pytest.mark.timeout(180)
W = TypeVar("W", bound=QWidget)


@pytest.fixture
def room(server: ServerProcess) -> Room:
    return open_room(server)


@pytest.fixture
def enter(aio: Any, server: ServerProcess, room: Room, tmp_path: Path) -> Iterator[Any]:
    """Open the room window as a demo user on their own core (all closed at the end)."""
    opened: list[tuple[Core, MeetingRoomWindow]] = []

    def open_as(username: str) -> MeetingRoomWindow:
        core = make_core(tmp_path / username, memory_secrets(), server.url)
        aio(core.session.sign_in(server.url, username, "hopdesk-demo", False))
        aio(core.start_session())
        window = MeetingRoomWindow(core, aio(core.meetings.meeting(room.meeting_id)))
        window.show()
        opened.append((core, window))
        return window

    yield open_as
    for core, window in opened:
        aio(window.aclose())
        window.close()
        window.deleteLater()
        aio(core.aclose())


async def in_loop(action: Callable[[], None]) -> None:
    """Do a user action inside the running loop, as the app's clicks happen."""
    action()


def press(aio: Any, qtbot: QtBot, button: QWidget) -> None:
    """Click a button as the user does, inside the running loop."""
    aio(in_loop(lambda: qtbot.mouseClick(button, Qt.MouseButton.LeftButton)))


def panel(window: MeetingRoomWindow, kind: type[W]) -> W:
    found = [window.panels.widget(i) for i in range(window.panels.count())]
    [widget] = [w for w in found if isinstance(w, kind)]
    window.panels.setCurrentWidget(widget)  # the user opens its tab
    return widget


def test_asking_giving_the_floor_and_running_the_queue(aio: Any, qtbot: QtBot, enter: Any) -> None:
    chair_room, delegate_room = enter(CHAIR), enter("chuyenvien1")
    chair, delegate = panel(chair_room, SpeakPanel), panel(delegate_room, SpeakPanel)
    aio(until(lambda: delegate.ask_button.isVisible() and chair.service.queue is not None))
    assert not chair.ask_button.isVisible()  # the chair gives the floor, does not ask
    assert not delegate.grant_button.isVisible()
    assert chair.grant_button.isVisible()

    press(aio, qtbot, delegate.ask_button)
    aio(until(lambda: delegate.place.text() == delegate.tr("Your place: %1").replace("%1", "1")))
    assert delegate.withdraw_button.isVisible()
    aio(until(lambda: chair.model.rowCount() == 1))
    assert not chair.grant_button.isEnabled()  # nothing chosen yet
    chair.view.selectionModel().select(
        chair.model.index(0), QItemSelectionModel.SelectionFlag.ClearAndSelect
    )
    assert chair.grant_button.isEnabled()
    press(aio, qtbot, chair.grant_button)
    aio(until(lambda: delegate.place.text() == delegate.tr("You have the floor")))
    for side in (chair, delegate):
        aio(until(lambda side=side: side.model.rowCount() == 1 and side.end_button.isEnabled()))
        speaking = side.model.index(0)
        assert speaking.data(Qt.ItemDataRole.FontRole).bold()  # highlighted for everyone
        assert speaking.data(Qt.ItemDataRole.BackgroundRole) is not None
    assert "Nguyễn" not in chair.speaker.text()  # giamdoc is not the speaker
    assert delegate.speaker.text().endswith(delegate.service.queue.speaker.user.full_name)

    press(aio, qtbot, chair.muted)
    aio(until(lambda: delegate.service.queue.muted_until_floor))
    assert delegate.muted.isChecked()
    press(aio, qtbot, chair.end_button)
    aio(until(lambda: delegate.service.queue.speaker is None))
    assert delegate.ask_button.isVisible()
    assert delegate.speaker.text() == delegate.tr("Nobody has the floor")
    assert not chair.next_button.isEnabled()
    assert not chair.lower_all_button.isEnabled()


def test_chat_to_everyone_and_to_one(aio: Any, qtbot: QtBot, enter: Any, room: Room) -> None:
    chair_room, delegate_room = enter(CHAIR), enter("chuyenvien1")
    chair, delegate = panel(chair_room, ChatPanel), panel(delegate_room, ChatPanel)
    names = [chair.recipient.itemText(i) for i in range(chair.recipient.count())]
    assert names[0] == chair.tr("Everyone")
    assert "Nguyễn Văn Hùng" not in names  # not to oneself

    to = chair.recipient.findData(room.id("chuyenvien1"))
    chair.recipient.setCurrentIndex(to)
    chair.input.setText("Đồng chí chuẩn bị phát biểu")
    aio(in_loop(lambda: qtbot.keyClick(chair.input, Qt.Key.Key_Return)))
    assert chair.input.text() == ""
    aio(until(lambda: delegate.model.rowCount() == 1))
    shown = delegate.model.index(0).data()
    assert shown.startswith("Nguyễn Văn Hùng → ")
    assert shown.endswith(": Đồng chí chuẩn bị phát biểu")
    delegate.input.setText("Rõ")
    press(aio, qtbot, delegate.send_button)
    aio(until(lambda: chair.model.rowCount() == 2 and not chair.service.outgoing))
    assert chair.model.index(1).data().endswith(": Rõ")
    other = room.ok("chuyenvien2", "GET", "chat")["messages"]
    assert [m["text"] for m in other] == ["Rõ"]  # the private line stays between the two


def a_pdf(path: Path, pages: int) -> Path:
    with pymupdf.open() as doc:
        for n in range(pages):
            doc.new_page().insert_text((72, 72), f"Trang {n + 1}")
        doc.save(path)
    return path


def test_following_the_presenter_in_a_reader(
    aio: Any, qtbot: QtBot, enter: Any, room: Room, tmp_path: Path
) -> None:
    paper = room.add_paper("chuyenvien1")
    window = enter("vanthu")
    floor = window.floor
    reader = Reader(MemoryAnnotationStore(), "vanthu")
    qtbot.addWidget(reader)
    reader.resize(800, 600)
    reader.show()
    try:
        path = a_pdf(tmp_path / "ke-hoach.pdf", 6)
        with qtbot.waitSignal(reader.documentOpened, timeout=30_000):
            reader.open_path(path, sha256=sha256_of_file(path), title="Kế hoạch")
        floor.show_paper(reader, paper)
        assert floor.follow_button.isChecked()
        room.ok("chuyenvien1", "PUT", "presenter", {"paper_id": paper, "page": 3, "zoom": 1.0})
        aio(until(lambda: reader.current_page() == 3))

        reader.go_to_page(1)  # the user reads on their own: following stops
        aio(until(lambda: not floor.follow_button.isChecked()))
        room.ok("chuyenvien1", "PUT", "presenter", {"paper_id": paper, "page": 4, "zoom": 1.0})
        aio(until(lambda: floor.presenter.state is not None and floor.presenter.state.page == 4))
        assert reader.current_page() == 1
        press(aio, qtbot, floor.follow_button)  # one click back
        aio(until(lambda: reader.current_page() == 4))
        assert floor.presenter.following
    finally:
        reader.shutdown()


def test_the_chairs_room_fits_a_1280_screen_in_vietnamese_with_whole_tab_labels(
    aio: Any, enter: Any, vietnamese: None
) -> None:
    """Seen under Xvfb: the agenda's five editing buttons in one row and the header's facts
    beside its four buttons held the window at 1317 px at least; narrower, the side tabs hid
    behind scroll arrows ("Phá…")."""
    chair = enter(CHAIR)  # the chair has the most tabs
    aio(until(lambda: chair.agenda_panel.editing.isVisible()))  # the chair edits the agenda
    assert chair.minimumSizeHint().width() <= 1280  # was 1317 under Xvfb, now 1148
    assert not chair.panels.tabBar().usesScrollButtons()
    bar = chair.panels.tabBar()
    assert bar.count() == 6
    for index in range(bar.count()):
        label = bar.tabText(index)
        assert bar.tabRect(index).width() > bar.fontMetrics().horizontalAdvance(label), label
