"""The reader window, the meeting detail and the shell's opening of papers and documents, on the
real core and the real reference server with its demo data."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QtMsgType, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QTabBar
from pytestqt.qtbot import QtBot

from desktop.app import Core, Options
from desktop.meeting_room.papers import MeetingPapers
from tests.fixtures.server import ServerProcess
from tests.fixtures.store_lock import locked_elsewhere
from tests.server.room_helpers import open_room
from tests.ui.conftest import memory_secrets, until
from tests.ui.test_shell import (
    make_core,
    remember_sign_in,
    visible_sign_in_dialogs,
    window_with_lists,
)
from tests.viewer.conftest import make_text_pdf
from tests.viewer.view.test_widget import dark_pixels
from ui.meeting_detail import PAPER_ROLE, MeetingDetail
from ui.reader_window import GEOMETRY_KEY, ReaderTab, ReaderWindow
from ui.shell import QtFrontend
from viewer.annotations.model import AnnotationKind
from viewer.annotations.tools import Tool
from viewer.view.page_view import PageView

pytestmark = pytest.mark.timeout(180)

# the offscreen platform says these of every window
BENIGN_QT = ("does not support propagateSizeHints", "does not support raise")


@pytest.fixture
def core(aio: Any, server: ServerProcess, tmp_path: Path) -> Any:
    """A signed-in core (giamdoc) with its session services started."""
    made = make_core(tmp_path, memory_secrets(), server.url)
    aio(made.session.sign_in(server.url, "giamdoc", "hopdesk-demo", False))
    aio(made.start_session())
    yield made
    aio(made.aclose())


@pytest.fixture
def window(aio: Any, qtbot: QtBot, core: Core) -> Any:
    made = ReaderWindow(core)  # not qtbot.addWidget: pytest-qt would delete it before aclose
    yield made
    aio(made.aclose())
    made.deleteLater()


def ready_tabs(window: ReaderWindow) -> list[ReaderTab]:
    """Collects the tabs whose reader shows its file, in order."""
    tabs: list[ReaderTab] = []
    window.tab_ready.connect(tabs.append)
    return tabs


async def painted(view: PageView, page: int) -> None:
    """Until `page` was painted from a real render."""
    seen: list[int] = []
    view.pagePainted.connect(seen.append)
    view.viewport().update()
    await until(lambda: page in seen)
    view.pagePainted.disconnect(seen.append)


async def meeting_with_papers(core: Any) -> Any:
    """A seeded meeting whose agenda has at least two file papers."""
    await core.meetings.refresh()
    for summary in core.meetings.meetings:
        meeting = await core.meetings.meeting(summary.id)
        files = [p for item in meeting.agenda for p in item.papers if p.file is not None]
        if len(files) >= 2:
            return meeting
    raise AssertionError("the demo data has no meeting with two papers")


def test_paper_opens_from_the_meeting_detail_and_shows_page_one(
    aio: Any, qtbot: QtBot, core: Any, window: ReaderWindow
) -> None:
    meeting = aio(meeting_with_papers(core))
    detail = MeetingDetail(core.meetings)
    qtbot.addWidget(detail)
    detail.paper_activated.connect(window.open_paper)
    opened = ready_tabs(window)
    detail.show_meeting(meeting.id)
    aio(until(lambda: detail.meeting is not None))
    assert detail.heading.text() == meeting.title
    assert meeting.location in detail.where.text()
    papers = [p for p in detail.papers() if p.file is not None]
    first, second = papers[0], papers[1]

    # Enter on the current (first) paper
    index = detail.first_paper_index()
    assert index.data() == first.title
    detail.agenda.setCurrentIndex(index)
    QTest.keyClick(detail.agenda, Qt.Key.Key_Return)
    aio(until(lambda: len(opened) == 1))
    tab = opened[0]
    assert tab.reader.sha256() == first.file.sha256
    assert window.tabs.tabToolTip(window.tabs.indexOf(tab)) == first.title
    view = tab.reader.viewer.page_view
    aio(painted(view, 0))
    assert view.current_page() == 0
    assert dark_pixels(view.viewport().grab().toImage()) > 50
    assert tab.reader.watermark() is None  # an ordinary paper

    # double-click on the second paper: a second tab; the first paper again: its tab comes back
    model = detail.agenda_model
    second_index = next(
        model.indexFromItem(item.child(r))
        for item in (model.item(i) for i in range(model.rowCount()))
        for r in range(item.rowCount())
        if item.child(r).text() == second.title
    )
    rect = detail.agenda.visualRect(second_index)
    # Qt's item views take a double click only after a press on the same row
    QTest.mouseClick(detail.agenda.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    QTest.mouseDClick(detail.agenda.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    aio(until(lambda: len(opened) == 2))
    assert window.tabs.count() == 2
    assert window.open_paper(first) is tab
    assert window.tabs.count() == 2
    assert window.current_tab() is tab
    assert core.files.cached(first.file.sha256) is not None  # kept for the next time


def test_a_paper_open_from_the_meeting_detail_offers_its_new_version(
    aio: Any, qtbot: QtBot, server: ServerProcess, core: Any, window: ReaderWindow, tmp_path: Path
) -> None:
    # A meeting under way that giamdoc chairs, with one paper, added through the room's service.
    meeting_id = open_room(server).meeting_id
    editing = MeetingPapers(
        core.session, None, core.outbox, meeting_id, files=core.files, meetings=core.meetings
    )
    versions = [tmp_path / "v1.pdf", tmp_path / "v2.pdf"]
    for path, pages in zip(versions, (3, 2), strict=True):
        path.write_bytes(make_text_pdf(pages))
    try:

        async def add_item() -> None:  # in the loop, as a click: the outbox flushes soon
            editing.add_item("Dự thảo kế hoạch")
            await until(lambda: len(editing.agenda) == 1)

        aio(editing.refresh())
        aio(add_item())
        aio(editing.upload_paper(editing.agenda[0].id, versions[0], "Kế hoạch"))
        aio(core.outbox.wait())

        detail = MeetingDetail(core.meetings)
        qtbot.addWidget(detail)
        detail.paper_activated.connect(window.open_paper)
        opened = ready_tabs(window)
        detail.show_meeting(meeting_id)
        aio(until(lambda: detail.meeting is not None and detail.first_paper_index().isValid()))
        detail.agenda.setCurrentIndex(detail.first_paper_index())
        QTest.keyClick(detail.agenda, Qt.Key.Key_Return)
        aio(until(lambda: len(opened) == 1))
        (tab,) = opened
        paper = tab.paper
        assert paper is not None
        assert paper.file is not None
        assert not tab.notice.isVisibleTo(tab)

        aio(editing.replace_paper(paper.id, versions[1]))  # the chair replaces it
        aio(core.outbox.wait())
    finally:
        aio(editing.close())
    aio(until(lambda: tab.notice.isVisibleTo(tab)))
    assert paper.title in tab.notice.text.text()

    async def open_new() -> None:
        qtbot.mouseClick(tab.notice.open_button, Qt.MouseButton.LeftButton)

    aio(open_new())
    aio(until(lambda: len(opened) == 2))
    new = opened[1]
    assert new.paper is not None
    assert new.paper.version == paper.version + 1
    assert new.reader.sha256() != paper.file.sha256
    assert window.open_tabs() == [new]  # the new version took the old one's place


def test_confidential_paper_carries_the_readers_name(
    aio: Any, qtbot: QtBot, core: Any, window: ReaderWindow
) -> None:
    async def confidential_paper() -> Any:
        await core.meetings.refresh()
        for summary in core.meetings.meetings:
            meeting = await core.meetings.meeting(summary.id)
            for item in meeting.agenda:
                for paper in item.papers:
                    if paper.confidentiality == "confidential":
                        return meeting, paper
        raise AssertionError("the demo data has no confidential paper")

    meeting, paper = aio(confidential_paper())
    detail = MeetingDetail(core.meetings)
    qtbot.addWidget(detail)
    detail.show_meeting(meeting.id)
    aio(until(lambda: detail.meeting is not None))
    model = detail.agenda_model
    texts = {
        model.item(i).child(r).data(PAPER_ROLE).title: model.item(i).child(r).text()
        for i in range(model.rowCount())
        for r in range(model.item(i).rowCount())
    }
    assert texts[paper.title] == f"{paper.title} — CONFIDENTIAL"  # marked in the agenda
    plain = {
        p.title for item in meeting.agenda for p in item.papers if p.confidentiality == "normal"
    }
    assert all(texts[title] == title for title in plain)  # normal papers are not marked
    opened = ready_tabs(window)
    window.open_paper(paper)
    aio(until(lambda: bool(opened)))
    spec = opened[0].reader.watermark()
    assert spec is not None
    assert (spec.name, spec.marking) == ("Nguyễn Văn Hùng", "CONFIDENTIAL")
    assert opened[0].reader.viewer.watermark() == spec  # the viewer prints and presents it too


def test_keyboard_closes_and_cycles_tabs(
    aio: Any, qtbot: QtBot, tmp_path: Path, window: ReaderWindow
) -> None:
    opened = ready_tabs(window)
    tabs = []
    for name, pages in (("a.pdf", 2), ("b.pdf", 3)):
        path = tmp_path / name
        path.write_bytes(make_text_pdf(pages, outline=False))
        tabs.append(window.open_local(path))
    aio(until(lambda: len(opened) == 2))  # in either order: each loads on its own
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    first, second = tabs
    assert window.current_tab() is second  # the last opened is in front
    QTest.keyClick(window, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert window.current_tab() is first
    QTest.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.count() == 1
    assert window.current_tab() is second
    # Closing the last tab closes the window (it stayed, empty and grey); it comes back with
    # the next paper or file.
    close_button = window.tabs.tabBar().tabButton(0, QTabBar.ButtonPosition.RightSide)
    assert close_button is not None
    close_button.click()
    assert window.tabs.count() == 0
    assert not window.isVisible()


def test_document_version_and_a_note_that_reaches_the_server(
    aio: Any, qtbot: QtBot, core: Any, window: ReaderWindow
) -> None:
    aio(core.documents.refresh())
    listed = next(d for d in core.documents.documents if d.confidentiality == "normal")
    opened = ready_tabs(window)
    tab = window.open_document(listed)  # a list row: the tab fetches the versions itself
    aio(until(lambda: bool(opened)))
    full = aio(core.documents.document(listed.id))
    latest = max(full.versions, key=lambda v: v.no)
    assert tab.reader.sha256() == latest.file.sha256
    assert tab.reader.watermark() is None
    assert window.open_document(listed) is tab  # re-activated, not opened twice
    assert window.tabs.count() == 1

    # draw a box with the mouse: saved at once, then synced to the server through the outbox
    window.resize(1200, 850)
    window.show()
    reader = tab.reader
    view = reader.viewer.page_view
    aio(painted(view, 0))
    reader.set_tool(Tool.RECT)
    transform = view.page_transform(0)
    assert transform is not None
    start = transform.map(QPointF(100, 100)).toPoint()
    end = transform.map(QPointF(220, 180)).toPoint()
    port = view.viewport()

    async def drag() -> None:  # inside the running loop, as in the app: saving queues a flush
        QTest.mousePress(port, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
        QTest.mouseMove(port, QPoint((start.x() + end.x()) // 2, (start.y() + end.y()) // 2))
        QTest.mouseMove(port, end)
        QTest.mouseRelease(port, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)

    aio(drag())
    (note,) = core.notes.load(latest.file.sha256, core.notes.user)
    assert note.kind is AnnotationKind.RECT
    assert reader.notes is not None
    assert reader.notes.model.rowCount() == 1

    async def on_server() -> list[Any]:
        found: list[Any] = []

        async def check() -> None:
            notes = await core.session.api.get_json("/notes", {"target": latest.file.sha256})
            found[:] = notes

        while not found:
            await check()
            if not found:
                await asyncio.sleep(0.1)
        return found

    (stored,) = aio(on_server())
    assert stored["id"] == note.id
    assert stored["kind"] == "rect"

    # the window's size and place are remembered in the local store
    window.resize(760, 540)  # within the offscreen screen (800×600)
    size = window.size()
    assert size.width() == 760  # not the default of a fresh window (1200 × 850)
    aio(window.aclose())
    again = ReaderWindow(core)
    assert again.size() == size
    aio(again.aclose())
    again.deleteLater()


def test_download_error_is_shown_and_retry_works_after_restart(
    aio: Any, qtbot: QtBot, core: Any, window: ReaderWindow, server: ServerProcess, vietnamese: None
) -> None:
    aio(core.documents.refresh())
    aio(core.meetings.refresh())
    listed = next(d for d in core.documents.documents if d.confidentiality == "normal")
    document = aio(core.documents.document(listed.id))  # known; its file is not downloaded yet
    server.stop()
    opened = ready_tabs(window)
    tab = window.open_document(document)
    aio(until(lambda: bool(tab.error_text())))
    assert tab.error_text().startswith("Không kết nối được tới máy chủ")
    assert tab.retry_button.isVisibleTo(tab)
    assert not opened

    # the meeting window says so too, with its own Retry
    detail = MeetingDetail(core.meetings)
    qtbot.addWidget(detail)
    detail.show_meeting(core.meetings.meetings[0].id)
    aio(until(detail.retry_button.isVisible))
    assert detail.message.text().startswith("Không kết nối được tới máy chủ")

    server.restart()
    tab.retry_button.click()
    aio(until(lambda: bool(opened)))
    assert opened == [tab]
    assert tab.error_text() == ""
    assert tab.reader.sha256() == document.versions[-1].file.sha256
    detail.retry_button.click()
    aio(until(lambda: detail.meeting is not None))
    assert detail.stack.currentWidget() is detail.details_page


def test_cancel_then_retry(aio: Any, core: Any, window: ReaderWindow) -> None:
    aio(core.documents.refresh())
    listed = core.documents.documents[0]
    opened = ready_tabs(window)
    tab = window.open_document(listed)
    assert tab.loading()
    tab.cancel_button.click()  # before the loop ran the download: it never starts
    assert tab.error_text() == "The download was cancelled."
    tab.retry_button.click()
    aio(until(lambda: bool(opened)))
    assert opened == [tab]  # once: the cancelled load did not open it too
    assert tab.error_text() == ""
    window.close()  # the user closes the window: its documents close, it can open again
    assert window.tabs.count() == 0
    window.open_document(listed)
    aio(until(lambda: len(opened) == 2))


def test_the_window_closes_while_another_process_holds_the_cache(
    aio: Any, core: Core, window: ReaderWindow
) -> None:
    """Closing the window saves its geometry from a Qt event handler: with the cache locked
    elsewhere the close returns at once, the loop keeps turning, and the geometry lands once
    the lock goes (before: "database is locked" raised in closeEvent after 20 ms)."""

    async def close_while_locked() -> None:
        window.show()
        async with locked_elsewhere(core.store.path) as lock:
            window.close()
            await lock.hold()
            assert stored(GEOMETRY_KEY) is None
        await core.store.settled()
        lock.assert_loop_kept_turning()

    def stored(key: str) -> str | None:
        with contextlib.closing(sqlite3.connect(core.store.path)) as con:
            row = con.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    aio(close_while_locked())
    assert stored(GEOMETRY_KEY) is not None


def test_shell_opens_rows_and_files_and_sign_out_closes_everything(
    aio: Any,
    qapp: QApplication,
    qtlog: Any,
    caplog: pytest.LogCaptureFixture,
    server: ServerProcess,
    tmp_path: Path,
) -> None:
    secrets = memory_secrets()
    remember_sign_in(aio, tmp_path, secrets, server.url)
    core = make_core(tmp_path, secrets, server.url)
    frontend = QtFrontend()
    local = tmp_path / "Báo cáo riêng.pdf"
    local.write_bytes(make_text_pdf(3, outline=False))
    caplog.set_level(logging.WARNING)

    async def scenario() -> int:
        run = asyncio.ensure_future(frontend.run(core, Options()))
        main = await window_with_lists(frontend)
        assert frontend.reader_window is None  # made on first use only

        # Enter on the confidential document's row in Documents
        view = main.documents_view
        main.nav.setCurrentRow(main.pages.index(view))
        row = next(
            r
            for r in range(view.proxy.rowCount())
            if view.proxy.index(r, 0).data(Qt.ItemDataRole.UserRole + 2).confidentiality
            == "confidential"
        )
        view.table.setCurrentIndex(view.proxy.index(row, 0))
        QTest.keyClick(view.table, Qt.Key.Key_Return)
        await until(lambda: frontend.reader_window is not None)
        reader_window = frontend.reader_window
        assert reader_window is not None
        opened = ready_tabs(reader_window)
        await until(lambda: bool(opened))
        spec = opened[0].reader.watermark()
        assert spec is not None
        assert spec.name == "Nguyễn Văn Hùng"
        assert spec.marking == "CONFIDENTIAL"
        assert "Nguyễn Văn Hùng" in spec.text()

        # a PDF dropped on the main window opens as a local file, its notes keyed by its hash
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(local))])
        main.dropEvent(
            QDropEvent(
                QPointF(20, 20),
                Qt.DropAction.CopyAction,
                mime,
                Qt.MouseButton.LeftButton,
                Qt.KeyboardModifier.NoModifier,
            )
        )
        await until(lambda: len(opened) == 2)
        assert opened[1].key == f"file:{local.resolve()}"
        assert opened[1].reader.watermark() is None

        # Enter on a meeting row shows the meeting's details
        meetings = main.meetings_view
        meetings.table.setCurrentIndex(meetings.proxy.index(0, 0))
        QTest.keyClick(meetings.table, Qt.Key.Key_Return)
        await until(lambda: frontend.meeting_detail is not None)
        detail = frontend.meeting_detail
        assert detail is not None
        await until(lambda: detail.meeting is not None)

        frontend._finish("sign_out")
        await until(lambda: bool(visible_sign_in_dialogs()))
        assert frontend.reader_window is None
        assert frontend.meeting_detail is None
        assert not shiboken6.isValid(reader_window)  # closed and deleted
        assert not shiboken6.isValid(detail)
        left = [
            t
            for t in asyncio.all_tasks()
            if t.get_coro().__qualname__.startswith(("ReaderWindow", "MeetingDetail"))
        ]
        assert left == []
        visible_sign_in_dialogs()[0].reject()
        return await run

    assert aio(scenario(), 120) == 0
    aio(core.aclose())
    warnings = [
        m.message
        for m in qtlog.records
        if m.type in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg)
        and not any(b in m.message for b in BENIGN_QT)
    ]
    assert warnings == []
    problems = [
        r.getMessage()
        for r in caplog.records
        if r.name.startswith(("asyncio", "ui", "viewer")) and r.levelno >= logging.WARNING
    ]
    assert problems == []
