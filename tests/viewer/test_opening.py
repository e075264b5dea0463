"""Opening files in a render worker: the GUI thread never opens or repairs a PDF."""

from __future__ import annotations

import itertools
import os
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Qt, QTimer
from pytestqt.qtbot import QtBot

from desktop.watchdog import StallWatchdog
from tests.viewer.conftest import open_and_wait, wait_painted
from viewer.document import FileMissingError
from viewer.render.pool import RenderPool
from viewer.view.widget import ViewerWidget

PAGES = 1_000
FILLERS = 60_000


@pytest.fixture(scope="module")
def damaged_big_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1,000 pages (every ninth landscape) among 61,000 objects, with no cross-reference
    table at all: MuPDF rebuilds it by scanning every object (like the real-world file of
    65,000 objects), on this machine 0.2 s and more of CPU."""
    kids = " ".join(f"{3 + i} 0 R" for i in range(PAGES))
    objects = [b"<</Type/Catalog/Pages 2 0 R>>", f"<</Type/Pages/Count {PAGES}/Kids[{kids}]>>"]
    for i in range(PAGES):
        box = "0 0 842 595" if i % 9 == 8 else "0 0 595 842"
        objects.append(f"<</Type/Page/Parent 2 0 R/MediaBox[{box}]>>")
    objects += [f"<</Type/Filler/N {i}>>" for i in range(FILLERS)]
    body = b"".join(
        b"%d 0 obj\n%s\nendobj\n" % (n, o if isinstance(o, bytes) else o.encode())
        for n, o in enumerate(objects, 1)
    )
    trailer = b"trailer\n<</Root 1 0 R/Size %d>>\nstartxref\n0\n%%%%EOF\n" % (len(objects) + 1)
    path = tmp_path_factory.mktemp("big") / "damaged.pdf"
    path.write_bytes(b"%PDF-1.7\n" + body + trailer)
    return path


class _CpuTicks(QObject):
    """A 10 ms GUI-thread timer noting the GUI thread's CPU time at every tick: the work done
    between two ticks, without the machine's noise (on a loaded machine the OS alone stops a
    process for 100 ms and more, which wall-clock gaps would count)."""

    def __init__(self) -> None:
        super().__init__()
        self.ticks: list[float] = []
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(10)
        self._timer.timeout.connect(lambda: self.ticks.append(time.thread_time()))
        self._timer.start()

    def busiest_ms(self) -> float:
        return max(b - a for a, b in itertools.pairwise(self.ticks)) * 1000


def test_a_big_damaged_file_is_repaired_off_the_gui_thread(
    qtbot: QtBot, pool: RenderPool, damaged_big_pdf: Path
) -> None:
    """MuPDF's repair of a damaged file with tens of thousands of objects, and its page-tree
    load, ran on the GUI thread (a real-world file stalled the window 300-480 ms): a render
    worker does both now, and the GUI thread keeps ticking while it does."""
    viewer = ViewerWidget(pool)
    viewer.resize(700, 600)
    qtbot.addWidget(viewer)
    viewer.show()
    watchdog = StallWatchdog(50.0)
    ticks = _CpuTicks()
    watchdog.start()
    try:
        qtbot.waitUntil(lambda: len(ticks.ticks) > 2)
        assert open_and_wait(qtbot, viewer, damaged_big_pdf)
        doc = viewer.document
        assert doc is not None
        assert doc.repaired
        assert viewer.notice.isVisible()
        assert doc.page_count == PAGES
        wait_painted(qtbot, viewer.page_view, 0)
        count = len(ticks.ticks)
        qtbot.waitUntil(lambda: len(ticks.ticks) > count + 2)
    finally:
        watchdog.stop()
        ticks.deleteLater()
    busiest = ticks.busiest_ms()
    assert busiest < 50, f"{busiest:.0f} ms of GUI-thread CPU between two ticks"
    in_engine = [s for s in watchdog.stalls if "pymupdf" in s.stack or "document.py" in s.stack]
    assert not in_engine, in_engine[0].stack

    # The text of a selection needs a PyMuPDF handle in the GUI process: it opens the
    # repaired copy the worker saved, so nothing is repaired here either.
    copy = doc.source.path
    assert copy is not None
    assert copy != str(damaged_big_pdf)
    assert not doc.engine.is_repaired
    assert doc.text_in(0, (0, 0, 595, 842)) == ""
    viewer.close_document()
    assert not os.path.exists(copy)  # the copy goes with the document


def test_page_sizes_of_a_long_file_arrive_after_the_first_page(
    qtbot: QtBot, pool: RenderPool, damaged_big_pdf: Path
) -> None:
    """The worker replies after the first pages' sizes and sends the rest in slices (reading
    20,000 sizes takes it seconds here): the view opens at once and lays out what arrives."""
    viewer = ViewerWidget(pool)
    qtbot.addWidget(viewer)
    viewer.show()
    assert open_and_wait(qtbot, viewer, damaged_big_pdf)
    doc = viewer.document
    assert doc is not None
    qtbot.waitUntil(lambda: doc.sizes_complete, timeout=120_000)
    assert doc.page_size(PAGES - 1 - PAGES % 9) == (842, 595)
    assert doc.page_size(1) == (595, 842)
    layout = viewer.page_view.page_layout
    qtbot.waitUntil(lambda: layout().boxes[-1 - PAGES % 9].w > layout().boxes[1].w)
    viewer.close_document()


def test_a_missing_file_fails_with_its_message(
    qtbot: QtBot, pool: RenderPool, tmp_path: Path
) -> None:
    viewer = ViewerWidget(pool)
    qtbot.addWidget(viewer)
    with qtbot.waitSignal(viewer.openFailed) as failed:
        viewer.open_path(str(tmp_path / "gone.pdf"))
    expected = FileMissingError("gone.pdf").user_message()
    assert failed.args == [expected]
    assert viewer.message.text() == expected
    assert viewer.document is None
