"""The main window on real services against the real server: lists, status bar, reconnects."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.app import Core
from desktop.config import Config
from desktop.notify import Notifier
from desktop.session import Session
from desktop.store import LocalStore
from tests.fixtures.server import ServerProcess
from tests.ui.conftest import memory_secrets, until
from ui.main_window import MainWindow


@pytest.fixture
def core(aio: Any, server: ServerProcess, tmp_path: Path) -> Iterator[Core]:
    """The app's core services signed in as giamdoc (short backoff so reconnects are quick)."""
    store = LocalStore(tmp_path / "cache.db")
    store.open()
    secrets = memory_secrets()
    session = Session(Config(), secrets, store)
    core = Core(
        paths=None,
        config=session.config,
        secrets=secrets,
        store=store,
        session=session,
        notifier=Notifier(),
        log_path=tmp_path / "hopdesk.log",
    )
    aio(session.sign_in(server.url, "giamdoc", "hopdesk-demo", False))
    aio(core.start_session())
    core.events.backoff = (0.1, 0.3)
    yield core
    aio(core.aclose())


@pytest.fixture
def window(qtbot: QtBot, core: Core, aio: Any) -> MainWindow:
    win = MainWindow(
        core.session.user, core.meetings, core.documents, events=core.events, outbox=core.outbox
    )
    qtbot.addWidget(win)
    win.show()
    aio(asyncio.gather(core.meetings.refresh(), core.documents.refresh()))
    return win


def column(view: Any, key: str) -> list[str]:
    model = view.model
    col = model.COLUMNS.index(key)
    return [model.index(r, col).data() for r in range(model.rowCount())]


def test_lists_show_demo_data(window: MainWindow, qapp: QApplication, vietnamese: None) -> None:
    assert window.lists_loaded()
    titles = column(window.meetings_view, "title")
    assert any("giao ban" in t for t in titles), titles
    assert "4821/BTTTT-CĐSQG" in column(window.inbox_view, "number")
    assert "Hỏa tốc" in column(window.inbox_view, "urgency")
    assert window.documents_view.model.rowCount() >= window.inbox_view.model.rowCount()
    assert window.user_label.text() == "Nguyễn Văn Hùng, Giám đốc"
    assert [window.nav.item(i).text() for i in range(3)] == ["Lịch họp", "Văn bản", "Tài liệu"]
    window.nav.setCurrentRow(1)
    assert window.stack.currentWidget() is window.inbox_view
    # sorted most urgent first by default
    first = window.inbox_view.proxy.index(0, 0).data()
    assert first == "Hỏa tốc"


def test_status_bar_follows_the_connection(
    window: MainWindow, core: Core, server: ServerProcess, aio: Any, vietnamese: None
) -> None:
    aio(until(lambda: window.connection_state == "connected"))
    assert "Đã kết nối" in window.connection_label.text()
    assert window.outbox_label.text() == "Đã gửi hết các thay đổi"
    server.stop()
    aio(until(lambda: window.connection_state == "reconnecting"))
    assert "Đang kết nối lại" in window.connection_label.text()
    aio(until(lambda: window.connection_state == "offline"))
    assert "Mất kết nối" in window.connection_label.text()
    aio(asyncio.to_thread(server.restart))
    aio(until(lambda: window.connection_state == "connected", 30))
    assert "Đã kết nối" in window.connection_label.text()


def test_a_window_built_after_the_stream_connected_says_connected(
    qtbot: QtBot, core: Core, aio: Any, vietnamese: None
) -> None:
    """The event stream starts with the session and may connect before the main window exists
    (the demo did): the window showed "Mất kết nối" until the next change of state."""
    aio(until(lambda: core.events.state == "connected"))
    win = MainWindow(core.session.user, core.meetings, core.documents, events=core.events)
    qtbot.addWidget(win)
    assert win.connection_state == "connected"
    assert "Đã kết nối" in win.connection_label.text()


def test_outbox_count_in_status_bar(window: MainWindow, core: Core, vietnamese: None) -> None:
    core.outbox.enqueue("POST", "/documents/2/comments", {"text": "Đồng ý"})
    assert window.outbox_label.text() == "1 thao tác đang chờ gửi"


def test_a_new_meeting_appears_without_reload(
    window: MainWindow, core: Core, server: ServerProcess, aio: Any
) -> None:
    """The server announces `meeting.updated`; the service refreshes; the model grows in place."""
    import datetime as dt

    aio(until(lambda: window.connection_state == "connected"))
    before = window.meetings_view.model.rowCount()
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(hours=2)
    aio(
        core.session.api.post_json(
            "/meetings",
            {
                "title": "Họp đột xuất về phòng chống bão lụt",
                "starts_at": start.isoformat(),
                "ends_at": (start + dt.timedelta(hours=1)).isoformat(),
                "location": "Phòng họp số 2",
                "online": False,
                "chair_id": core.session.user.id,
                "secretary_id": core.session.user.id,
                "invitee_ids": [],
            },
        )
    )
    aio(until(lambda: window.meetings_view.model.rowCount() == before + 1))
    assert "Họp đột xuất về phòng chống bão lụt" in column(window.meetings_view, "title")


def test_the_summary_keeps_its_share_at_the_default_size(
    window: MainWindow, qapp: QApplication, vietnamese: None
) -> None:
    """With seven columns the trích yếu was cut to a few words at the default window size."""
    for row, view in ((1, window.inbox_view), (2, window.documents_view)):
        window.nav.setCurrentRow(row)
        qapp.processEvents()
        assert view.model.rowCount() > 0
        header = view.table.horizontalHeader()
        summary = view.model.COLUMNS.index("summary")
        assert header.sectionSize(summary) >= 0.4 * view.table.viewport().width() - 1
        index = view.proxy.index(0, summary)
        assert index.data(Qt.ItemDataRole.ToolTipRole) == index.data()  # the full text
