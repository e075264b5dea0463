"""The approval inbox page and document detail on real services against the real server:
lists with counts, diacritics-free search, buttons only for what the user may do, an action
through the outbox, and the navigation badge."""

from __future__ import annotations

import asyncio
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from desktop.app import Core
from desktop.config import Config
from desktop.inbox_index import WAITING
from desktop.notify import Notifier
from desktop.session import Session
from desktop.store import LocalStore
from tests.fixtures.server import ServerProcess
from tests.ui.conftest import memory_secrets, until
from ui.approval_detail import ActionDialog, ApprovalDetail, action_body
from ui.approval_view import ApprovalView
from ui.main_window import MainWindow


@pytest.fixture
def core(aio: Any, server: ServerProcess, tmp_path: Path) -> Iterator[Core]:
    """The app's core signed in as giamdoc, the approval inbox loaded."""
    core = signed_in_core(aio, server, tmp_path, "giamdoc")
    yield core
    aio(core.aclose())


def app_core(directory: Path, config: Config | None = None) -> Core:
    """The app's core on the local store in `directory` (files beside it), not signed in;
    the keyring in memory."""
    store = LocalStore(directory / "cache.db")
    store.open()
    secrets = memory_secrets()
    session = Session(config or Config(), secrets, store)
    return Core(
        paths=None,
        config=session.config,
        secrets=secrets,
        store=store,
        session=session,
        notifier=Notifier(),
        log_path=directory / "hopdesk.log",
    )


def signed_in_core(aio: Any, server: ServerProcess, tmp_path: Path, username: str) -> Core:
    """The app's core signed in as `username`, the approval inbox loaded (close it after)."""
    core = app_core(tmp_path)
    aio(core.session.sign_in(server.url, username, "hopdesk-demo", False))
    aio(core.start_session())
    aio(core.inbox.refresh())
    return core


def without_tones(text: str) -> str:
    """Text as typed on a keyboard without Vietnamese input: no tone marks, đ as d."""
    bare = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return bare.replace("đ", "d").replace("Đ", "D")


def shown(view: ApprovalView) -> list[str]:
    col = view.model.COLUMNS.index("summary")
    return [view.model.index(r, col).data() for r in range(view.model.rowCount())]


def test_lists_counts_and_search_without_tones(
    qtbot: QtBot, core: Core, aio: Any, vietnamese: None
) -> None:
    view = ApprovalView(core.inbox)
    qtbot.addWidget(view)
    aio(view.settled())  # read in a worker thread
    waiting = core.inbox.counts()[WAITING]
    assert waiting > 0
    assert view.lists.item(0).text() == f"Văn bản chờ tôi xử lý ({waiting})"
    assert len(shown(view)) == waiting
    target = shown(view)[0]
    plain = without_tones(target)
    view.search.setText(" ".join(plain.split()[:3]))
    view.show_list()  # what the search timer does after the typing pause
    aio(view.settled())
    assert target in shown(view)
    view.search.setText("khongcotrongvanbannao")
    view.show_list()
    aio(view.settled())
    assert shown(view) == []


def test_the_lists_are_read_off_the_gui_thread(
    qtbot: QtBot, core: Core, aio: Any, vietnamese: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page's queries and parsing run in a worker thread; when typing outruns them, only
    the last search asked is shown."""
    import threading

    import desktop.inbox

    threads: list[bool] = []
    read_page = desktop.inbox.read_page

    def watched(*args: Any) -> Any:
        threads.append(threading.current_thread() is threading.main_thread())
        return read_page(*args)

    monkeypatch.setattr(desktop.inbox, "read_page", watched)
    view = ApprovalView(core.inbox)
    qtbot.addWidget(view)
    assert view.loading
    assert shown(view) == []  # on screen before the list
    aio(view.settled())
    assert shown(view)
    for text in ("a", "khongcotrongvanbannao"):
        view.search.setText(text)
        view.show_list()
    aio(view.settled())
    assert shown(view) == []
    assert threads
    assert not any(threads)


def test_detail_shows_only_allowed_buttons_and_queues_the_action(
    qtbot: QtBot, core: Core, aio: Any, vietnamese: None
) -> None:
    target = next(d for d in core.inbox.documents(WAITING) if d.my_action == "approve")
    detail = ApprovalDetail(core.inbox)
    qtbot.addWidget(detail)
    aio(detail.show_document(target.id))
    assert [b.text() for b in detail.buttons.values()] == [
        "Phê duyệt",
        "Trả lại",
        "Cho ý kiến",
        "Chỉ đạo",
    ]
    dialog = ActionDialog("return", "Trả lại", [], detail)
    dialog.text.setPlainText("Bổ sung căn cứ pháp lý")

    async def accept_when_shown() -> None:
        await until(dialog.isVisible)
        dialog.accept()

    key, _ = aio(asyncio.gather(detail.ask_and_act("return", dialog), accept_when_shown()))
    assert key is not None
    assert core.outbox.pending == 0  # sent at once: the server is up
    document = aio(core.inbox.document(target.id))
    assert document.status == "returned"
    assert [c.text for c in document.comments if c.kind == "return"] == ["Bổ sung căn cứ pháp lý"]


def test_navigation_badge_counts_what_waits_for_me(
    qtbot: QtBot, core: Core, aio: Any, vietnamese: None
) -> None:
    window = MainWindow(
        core.session.user, core.meetings, core.documents, outbox=core.outbox, inbox=core.inbox
    )
    qtbot.addWidget(window)
    waiting = core.inbox.counts()[WAITING]
    aio(until(lambda: window.nav.item(3).text() == f"Phê duyệt ({waiting})"))  # read in a thread
    window.nav.setCurrentRow(3)
    assert window.stack.currentWidget() is window.approval_view
    target = next(d for d in core.inbox.documents(WAITING) if d.my_action == "approve")
    aio(core.inbox.act(target.id, "return", {"reason": "Sửa lại"}))
    aio(core.inbox.refresh())
    aio(until(lambda: window.nav.item(3).text() == f"Phê duyệt ({waiting - 1})"))


def test_action_bodies() -> None:
    assert action_body("return", "Thiếu số liệu", None) == {"reason": "Thiếu số liệu"}
    assert action_body("submit", "Kính trình", 3) == {"approver_id": 3, "note": "Kính trình"}
    assert action_body("approve", "", None) == {}
    assert action_body("issue", "", None, "QĐ-UBND") == {"symbol": "QĐ-UBND", "recipient_ids": []}


def test_sign_selected_hands_on_only_what_waits_for_my_signature(
    qtbot: QtBot, core: Core, aio: Any, vietnamese: None
) -> None:
    view = ApprovalView(core.inbox)
    qtbot.addWidget(view)
    aio(view.settled())
    assert view.sign_button.text() == "Ký các văn bản đã chọn"
    view.table.selectAll()
    expected = [d.id for d in view.selected() if d.my_action == "sign"]
    assert expected  # the demo leader has documents to sign
    assert len(expected) < len(view.selected())  # and others that are not for signing
    with qtbot.waitSignal(view.sign_selected) as emitted:
        view.sign_button.click()
    assert [d.id for d in emitted.args[0]] == expected
