"""Printing (viewer/printing.py through ViewerWidget.print_document) to real PDF printers.

Each page of the test document carries a black bar at its own height, so a printed page (an
image, no text) tells which page it came from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pymupdf
import pytest
from PySide6.QtCore import QMarginsF
from PySide6.QtGui import QColor, QPageRanges, QPageSize
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from tests.viewer.conftest import open_and_wait
from viewer.printing import (
    MAX_STRIP_ROWS,
    MIN_STRIP_ROWS,
    STRIP_SECONDS,
    PrintJob,
    PrintState,
    next_strip_rows,
    pages_to_print,
)
from viewer.render.pool import RenderPool
from viewer.view.layout import ZoomMode
from viewer.view.state import MemoryStateStore
from viewer.view.watermark import WatermarkSpec
from viewer.view.widget import ViewerWidget

from .conftest import wait_painted

NAME = "Nguyen Van Xem"
BAR_TOP, BAR_STEP, BAR_HEIGHT = 40, 24, 14


def make_bar_pdf(pages: int) -> bytes:
    """A4 pages, page i with a black bar at BAR_TOP + i * BAR_STEP points and a line of text."""
    doc = pymupdf.open()
    for i in range(pages):
        page = doc.new_page(width=595, height=842)
        y = BAR_TOP + i * BAR_STEP
        page.draw_rect(pymupdf.Rect(60, y, 535, y + BAR_HEIGHT), color=None, fill=(0, 0, 0))
        page.insert_text((72, 800), f"Trang {i + 1}", fontsize=14)
    data: bytes = doc.tobytes()
    return data


def printed_pages(path: Path) -> list[int]:
    """Which source page each printed page shows (by the height of its bar)."""
    found = []
    with pymupdf.open(path) as doc:
        for page in doc:
            pix = page.get_pixmap(dpi=36, colorspace=pymupdf.csGRAY)
            w = pix.width
            rows = [
                y
                for y in range(pix.height)
                if sum(v < 80 for v in pix.samples[y * pix.stride : y * pix.stride + w]) > w // 2
            ]
            assert rows, "no bar on a printed page"
            centre = (rows[0] + rows[-1]) / 2 * 72 / 36
            found.append(round((centre - BAR_TOP - BAR_HEIGHT / 2) / BAR_STEP))
    return found


def pdf_printer(path: Path) -> QPrinter:
    """A PDF printer at 72 dpi, A4 without margins: printed pages line up with the source."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    printer.setResolution(72)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setPageMargins(QMarginsF(0, 0, 0, 0))
    printer.setFullPage(True)
    return printer


@pytest.fixture
def viewer(qtbot: QtBot, pool: RenderPool, tmp_path: Path) -> Iterator[ViewerWidget]:
    path = tmp_path / "bars.pdf"
    path.write_bytes(make_bar_pdf(12))
    widget = ViewerWidget(pool, MemoryStateStore(), password_callback=lambda _n, _w: None)
    widget.resize(800, 700)
    qtbot.addWidget(widget)
    widget.show()
    assert open_and_wait(qtbot, widget, str(path))
    yield widget
    widget.close_document()


def run(qtbot: QtBot, viewer: ViewerWidget, printer: QPrinter) -> list[Any]:
    """Print and wait for the end of the run; returns [signal name, argument]."""
    job = viewer.print_document(printer)
    assert job is not None
    outcome: list[Any] = []
    job.finished.connect(lambda n: outcome.extend(["finished", n]))
    job.cancelled.connect(lambda n: outcome.extend(["cancelled", n]))
    job.failed.connect(lambda m: outcome.extend(["failed", m]))
    qtbot.waitUntil(lambda: bool(outcome), timeout=20_000)
    return outcome


def test_pages_to_print_follows_the_dialog_settings(qapp: object) -> None:
    printer = QPrinter()
    assert pages_to_print(printer, 5, 2) == [0, 1, 2, 3, 4]
    printer.setFromTo(2, 3)
    assert pages_to_print(printer, 5, 2) == [1, 2]
    printer.setFromTo(4, 99)
    assert pages_to_print(printer, 5, 2) == [3, 4]
    ranges = QPageRanges()
    ranges.addRange(1, 2)
    ranges.addPage(5)
    printer.setPageRanges(ranges)
    assert pages_to_print(printer, 5, 0) == [0, 1, 4]
    printer.setPrintRange(QPrinter.PrintRange.CurrentPage)
    assert pages_to_print(printer, 5, 3) == [3]
    assert pages_to_print(printer, 0, 0) == []


def test_print_a_range_rendered_by_the_workers(
    qtbot: QtBot, viewer: ViewerWidget, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the GUI process may not render: the workers (other processes) do
    def no_rendering_here(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("rendered on the GUI thread")

    monkeypatch.setattr(pymupdf.Page, "get_pixmap", no_rendering_here)
    out = tmp_path / "range.pdf"
    printer = pdf_printer(out)
    printer.setFromTo(3, 7)
    progress: list[tuple[int, int]] = []
    viewer.print_document(printer)
    assert viewer.print_job is not None
    assert viewer.print_progress is not None
    assert viewer.print_progress.isVisible()
    viewer.print_job.progress.connect(lambda done, total: progress.append((done, total)))
    qtbot.waitUntil(lambda: viewer.print_job is None, timeout=20_000)
    monkeypatch.undo()
    assert progress[-1] == (5, 5)
    assert printed_pages(out) == [2, 3, 4, 5, 6]


def test_print_current_page(qtbot: QtBot, viewer: ViewerWidget, tmp_path: Path) -> None:
    viewer.page_view.go_to_page(9)
    out = tmp_path / "current.pdf"
    printer = pdf_printer(out)
    printer.setPrintRange(QPrinter.PrintRange.CurrentPage)
    assert run(qtbot, viewer, printer) == ["finished", 1]
    assert printed_pages(out) == [9]


def test_watermark_on_every_printed_page_and_in_presentation(
    qtbot: QtBot, viewer: ViewerWidget, tmp_path: Path
) -> None:
    when = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)
    viewer.set_watermark(WatermarkSpec(NAME, when, color="#ff0000", opacity=1.0))
    out = tmp_path / "stamped.pdf"
    assert run(qtbot, viewer, pdf_printer(out)) == ["finished", 12]
    with pymupdf.open(out) as doc:
        assert doc.page_count == 12
        for page in doc:
            assert NAME in page.get_text()
    assert printed_pages(out) == list(range(12))

    # the presentation window paints the page view's overlays, the watermark among them
    window = viewer.present()
    assert window is not None
    window.resize(640, 480)
    window.view.set_zoom_mode(ZoomMode.FIT_PAGE)
    wait_painted(qtbot, window.view, window.view.current_page())
    image = window.view.viewport().grab().toImage()
    red = 0
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            c = QColor(image.pixel(x, y))
            red += c.red() > 150 and c.green() < 120 and c.blue() < 120
    assert red > 200
    window.close()

    viewer.set_watermark(None)
    plain = tmp_path / "plain.pdf"
    assert run(qtbot, viewer, pdf_printer(plain)) == ["finished", 12]
    with pymupdf.open(plain) as doc:
        assert all(NAME not in page.get_text() for page in doc)


def test_cancel_stops_after_the_page_printing(
    qtbot: QtBot, viewer: ViewerWidget, tmp_path: Path
) -> None:
    out = tmp_path / "cancelled.pdf"
    job = viewer.print_document(pdf_printer(out))
    assert job is not None
    progress = viewer.print_progress
    assert progress is not None
    cancel = progress.findChild(QPushButton)
    assert cancel is not None
    cancelled: list[int] = []
    job.cancelled.connect(cancelled.append)
    job.progress.connect(lambda done, _total: cancel.click() if done == 2 else None)
    qtbot.waitUntil(lambda: bool(cancelled), timeout=20_000)
    assert cancelled == [2]
    assert job.state is PrintState.CANCELLED
    assert viewer.print_job is None
    assert printed_pages(out) == [0, 1]  # the PDF printer keeps what was printed

    # nothing is left half-done: the next run prints normally
    again = tmp_path / "again.pdf"
    printer = pdf_printer(again)
    printer.setFromTo(11, 12)
    assert run(qtbot, viewer, printer) == ["finished", 2]
    assert printed_pages(again) == [10, 11]


def test_printer_failure_is_told_and_loses_nothing(
    qtbot: QtBot, viewer: ViewerWidget, tmp_path: Path
) -> None:
    errors: list[str] = []
    viewer.errorOccurred.connect(errors.append)
    printer = pdf_printer(tmp_path / "no such folder" / "out.pdf")
    assert viewer.print_document(printer) is None
    assert errors == ["The printer could not be started."]
    progress = viewer.print_progress
    assert progress is not None
    assert progress.labelText() == errors[0]
    # the document stays on screen
    assert viewer.page_view.isVisible()
    assert not viewer.message.isVisible()
    wait_painted(qtbot, viewer.page_view, viewer.page_view.current_page())


def test_a_page_that_cannot_render_stops_printing_with_a_message(
    qtbot: QtBot, viewer: ViewerWidget, tmp_path: Path
) -> None:
    doc = viewer.document
    assert doc is not None
    job = PrintJob(viewer.pool, doc, pdf_printer(tmp_path / "out.pdf"), [0, 40])
    failures: list[str] = []
    job.failed.connect(failures.append)
    assert job.start()
    qtbot.waitUntil(lambda: bool(failures), timeout=20_000)
    assert job.printed == 1
    assert "41" in failures[0]
    assert job.state is PrintState.FAILED


def test_strips_are_sized_to_the_time_budget() -> None:
    """A slow strip shrinks the next at once; a fast one grows it at most twofold; bounds hold."""
    assert next_strip_rows(128, STRIP_SECONDS * 3) == 128 // 3  # 27 ms-like strips: a third
    assert next_strip_rows(128, STRIP_SECONDS / 10) == 256  # fast: doubles, no more
    assert next_strip_rows(128, STRIP_SECONDS) == 128
    assert next_strip_rows(MIN_STRIP_ROWS, 1.0) == MIN_STRIP_ROWS
    assert next_strip_rows(MAX_STRIP_ROWS, 0.0) == MAX_STRIP_ROWS
    assert next_strip_rows(16, 0.0) == 32
