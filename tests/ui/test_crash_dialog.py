"""Uncaught exceptions from every source are logged and shown in the crash dialog."""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.log import ExceptionHooks, setup_logging
from desktop.notify import Notice, Notifier, Severity
from ui.crash_dialog import CrashDialog
from ui.notices import NoticePresenter


def crash_dialogs() -> list[CrashDialog]:
    return [
        w for w in QApplication.topLevelWidgets() if isinstance(w, CrashDialog) and w.isVisible()
    ]


@pytest.fixture
def hooks(qapp: QApplication, tmp_path: Path) -> Iterator[tuple[ExceptionHooks, Path]]:
    """Hooks wired as the app wires them: notifier → presenter → dialog; log in tmp_path."""
    log_path = setup_logging(tmp_path / "logs")
    notifier = Notifier()
    presenter = NoticePresenter(notifier, str(log_path))
    hooks = ExceptionHooks(notifier.crash)
    hooks.install()
    yield hooks, log_path
    hooks.uninstall()
    for dialog in crash_dialogs():
        dialog.close()
    del presenter
    for handler in logging.getLogger().handlers:
        handler.flush()


def boom() -> None:
    raise ValueError("bad thing 42")


def test_sys_excepthook_shows_dialog_and_logs(
    hooks: tuple[ExceptionHooks, Path], qtbot: QtBot, vietnamese: None
) -> None:
    _, log_path = hooks
    try:
        boom()
    except ValueError:
        sys.excepthook(*sys.exc_info())  # what Python does for an uncaught exception
    qtbot.waitUntil(lambda: len(crash_dialogs()) == 1)
    dialog = crash_dialogs()[0]
    assert "bad thing 42" in dialog.summary.text()
    assert "HopDesk gặp sự cố" in dialog.message.text()  # translated
    assert dialog.copy_button.text() == "Sao chép chi tiết"
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    clipboard = QGuiApplication.clipboard().text()
    assert "ValueError: bad thing 42" in clipboard
    assert "in boom" in clipboard
    for handler in logging.getLogger().handlers:
        handler.flush()
    assert "bad thing 42" in log_path.read_text(encoding="utf-8")


def test_thread_exception_reaches_gui_thread(
    hooks: tuple[ExceptionHooks, Path], qtbot: QtBot
) -> None:
    thread = threading.Thread(target=boom, name="worker")
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: len(crash_dialogs()) == 1)
    assert "bad thing 42" in crash_dialogs()[0].details


def test_asyncio_exception_handler(hooks: tuple[ExceptionHooks, Path], qtbot: QtBot) -> None:
    installed, _ = hooks
    loop = asyncio.new_event_loop()
    installed.install_loop(loop)
    try:
        loop.call_soon(boom)
        loop.run_until_complete(asyncio.sleep(0.01))
    finally:
        loop.close()
    qtbot.waitUntil(lambda: len(crash_dialogs()) == 1)
    assert "ValueError" in crash_dialogs()[0].details


def test_crash_storm_opens_at_most_three_dialogs(
    hooks: tuple[ExceptionHooks, Path], qtbot: QtBot
) -> None:
    installed, _ = hooks
    for _ in range(10):
        try:
            boom()
        except ValueError:
            installed.handle(*sys.exc_info())  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: len(crash_dialogs()) == 3)
    qtbot.wait(50)
    assert len(crash_dialogs()) == 3


def test_a_broken_reporter_does_not_raise(tmp_path: Path) -> None:
    def broken(summary: str, details: str) -> None:
        raise RuntimeError("reporter broke")

    hooks = ExceptionHooks(broken)
    try:
        boom()
    except ValueError:
        hooks.handle(*sys.exc_info())  # type: ignore[arg-type]


def test_notices_posted_on_another_thread_are_announced_in_order_on_the_gui_thread(
    qapp: QApplication, qtbot: QtBot
) -> None:
    """A crash in a worker thread posts from there (desktop/log.py): the notice reaches its
    listeners on the GUI thread, and no Python object crosses threads in a signal (before:
    `posted(Notice)` was emitted on the worker)."""
    notifier = Notifier()
    heard: list[tuple[int | None, Notice]] = []
    # Direct: the listener runs on the thread that emits `posted`, which is what is checked.
    notifier.posted.connect(
        lambda notice: heard.append((threading.get_ident(), notice)),
        Qt.ConnectionType.DirectConnection,
    )
    notices = [Notice(Severity.WARNING, f"notice {n}") for n in range(5)]
    worker = threading.Thread(target=lambda: [notifier.post(notice) for notice in notices])
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: len(heard) == len(notices))
    assert [notice for _, notice in heard] == notices
    assert {thread for thread, _ in heard} == {threading.main_thread().ident}
