"""Python's cyclic garbage collection, moved onto the GUI thread.

The automatic collector runs in whichever thread happens to allocate: the render pool's reader,
an executor thread, qasync's workers. When it frees a reference cycle holding a QObject there,
the object is destroyed off the thread that owns its timers, which Qt cannot unregister; the GUI
thread later delivers a timer event to freed memory and the app crashes. So automatic collection
is off, and a timer on the GUI thread collects whenever the automatic collector would have.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

CHECK_MS = 250


def collect_due(thresholds: tuple[int, int, int]) -> int:
    """Collect the oldest generation whose allocation count passed its threshold, as the
    automatic collector would have; returns the generation collected, or -1 when none was due."""
    counts = gc.get_count()
    due = [g for g in range(3) if counts[g] > thresholds[g]]
    if not due:
        return -1
    gc.collect(due[-1])
    return due[-1]


class GuiThreadCollector(QObject):
    """Collects on the GUI thread, generation by generation, by the usual thresholds."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = CHECK_MS) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        self._timer.start(interval_ms)

    def check(self) -> int:
        """Collect what is due now (see `collect_due`)."""
        return collect_due(self._thresholds)

    def stop(self) -> None:
        """Back to automatic collection (shutdown, after the Qt objects are gone)."""
        self._timer.stop()
        gc.enable()
