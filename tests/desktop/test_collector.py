"""The garbage collector runs on the GUI thread only (desktop/collector.py)."""

from __future__ import annotations

import gc
import threading
import weakref

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication

from desktop.collector import GuiThreadCollector


class Cycle:
    """A reference cycle that only the cyclic collector frees."""

    def __init__(self) -> None:
        self.me = self
        self.owner = QObject()  # what a worker thread's collection must never destroy


def test_cycles_are_freed_on_the_gui_thread_only(qapp: QApplication) -> None:
    collector = GuiThreadCollector(interval_ms=10_000)
    try:
        assert not gc.isenabled()
        freed_in: list[str] = []
        cycle = Cycle()
        weakref.finalize(cycle, lambda: freed_in.append(threading.current_thread().name))
        del cycle

        def allocate() -> None:  # a worker thread allocating a lot: no collection starts here
            junk = [[] for _ in range(50_000)]
            del junk

        worker = threading.Thread(target=allocate, name="worker")
        worker.start()
        worker.join()
        assert freed_in == []
        while collector.check() != -1 and not freed_in:
            pass
        if not freed_in:
            gc.collect()  # the thresholds were not reached: a full collection, as at idle
        assert freed_in == [threading.current_thread().name]
    finally:
        collector.stop()
        gc.disable()  # the test session keeps collection on the main thread too


def test_check_collects_the_generation_that_is_due(qapp: QApplication) -> None:
    collector = GuiThreadCollector(interval_ms=10_000)
    try:
        threshold0 = gc.get_threshold()[0]
        gc.collect()
        assert collector.check() == -1  # nothing allocated since
        keep = [[] for _ in range(threshold0 + 10)]
        assert collector.check() >= 0
        assert gc.get_count()[0] < threshold0
        del keep
    finally:
        collector.stop()
        gc.disable()
