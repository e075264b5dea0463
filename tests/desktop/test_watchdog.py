"""The stall watchdog names what blocked the GUI thread."""

from __future__ import annotations

import logging
import tempfile
import threading
import time

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.watchdog import (
    DEFAULT_THRESHOLD_MS,
    StallWatchdog,
    thread_stack,
    threshold_from_env,
)


def a_deliberately_slow_handler() -> None:
    time.sleep(0.2)


def test_a_200_ms_sleep_on_the_gui_thread_is_logged_with_its_stack(
    qapp: QApplication, qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    watchdog = StallWatchdog(50)
    watchdog.start()
    try:
        qtbot.wait(50)  # the heartbeat runs
        before = len(watchdog.stalls)
        with caplog.at_level(logging.WARNING, logger="hopdesk.stall"):
            QTimer.singleShot(0, a_deliberately_slow_handler)
            qtbot.waitUntil(
                lambda: any("a_deliberately_slow_handler" in s.stack for s in watchdog.stalls),
                timeout=5000,
            )
        stall = next(s for s in watchdog.stalls[before:] if "slow_handler" in s.stack)
        assert stall.ms >= 200
        assert "test_watchdog.py" in stall.stack
        logged = [r.getMessage() for r in caplog.records if r.name == "hopdesk.stall"]
        assert any("a_deliberately_slow_handler" in m and "stalled for" in m for m in logged)
    finally:
        watchdog.stop()


def test_a_quiet_gui_thread_logs_nothing(qapp: QApplication, qtbot: QtBot) -> None:
    watchdog = StallWatchdog(1000)  # far above any scheduling noise of a busy machine
    watchdog.start()
    try:
        qtbot.wait(200)
        assert watchdog.stalls == []
    finally:
        watchdog.stop()


def test_threshold_from_the_environment() -> None:
    assert threshold_from_env({}) is None
    assert threshold_from_env({"HOPDESK_STALL_WATCHDOG": "0"}) is None
    assert threshold_from_env({"HOPDESK_STALL_WATCHDOG": "1"}) == DEFAULT_THRESHOLD_MS
    assert threshold_from_env({"HOPDESK_STALL_WATCHDOG": "120"}) == 120.0
    assert threshold_from_env({"HOPDESK_STALL_WATCHDOG": "soon"}) is None


def test_the_stack_of_another_thread_is_read_without_walking_its_frames() -> None:
    started, release = threading.Event(), threading.Event()

    def a_waiting_worker() -> None:
        started.set()
        release.wait(5)

    worker = threading.Thread(target=a_waiting_worker)
    worker.start()
    try:
        started.wait(5)
        assert worker.ident is not None
        with tempfile.TemporaryFile("w+", encoding="utf-8") as dump:
            stack = thread_stack(dump, worker.ident)
            assert "a_waiting_worker" in stack
            assert "test_the_stack_of_another_thread" not in stack  # only that thread's block
            assert thread_stack(dump, 1) == ""
    finally:
        release.set()
        worker.join()
