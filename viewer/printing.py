"""Printing a document without stalling the GUI: the render workers draw each page at the
printer's resolution, the GUI thread only paints the finished image (and the print overlays,
such as the confidential watermark) into the printer, a strip of rows per event-loop turn.

`PrintJob` is the whole print run; `pages_to_print` reads the range chosen in the print dialog.
"""

from __future__ import annotations

import enum
import logging
import math
import time
from collections.abc import Callable, Sequence

from PySide6.QtCore import QCoreApplication, QObject, QRectF, QTimer, Signal
from PySide6.QtGui import QImage, QPainter
from PySide6.QtPrintSupport import QPrinter

from viewer.document import Document
from viewer.render.cache import PageKey, RenderedPage
from viewer.render.pool import RenderPool

log = logging.getLogger(__name__)

PrintOverlay = Callable[[QPainter, int, QRectF], None]
"""Called after a page is drawn on the printer: (painter, page index, the page's box there)."""

MAX_PRINT_DPI = 300  # finer renders only grow the spool: toner does not resolve more
AHEAD = 2  # pages rendered ahead of the one printing (a 300-dpi A4 page is 26 MB)
PRIORITY = 1  # after the page the reader looks at, before prefetch and thumbnails
# Rows of a page image painted per event-loop turn. Qt's PDF engine (also behind CUPS printing)
# compresses an image as it is drawn: a whole 300-dpi A4 page took ~220 ms of GUI thread in one
# go (measured; a painter in a QThread does not help: PySide keeps the GIL through drawImage).
# The first strip has STRIP_ROWS rows; later ones as many as the last strip's time per row says
# fit in STRIP_SECONDS (a fixed 128 rows stalled the GUI 27 ms once: the cost per row varies
# with the page's content and the machine's load).
STRIP_ROWS = 128
STRIP_SECONDS = 0.006
MIN_STRIP_ROWS = 8
MAX_STRIP_ROWS = 1024


def next_strip_rows(rows: int, seconds: float) -> int:
    """Rows for the next strip after `rows` took `seconds`: aim at STRIP_SECONDS, grow at most
    twofold per strip (one fast strip may be luck), shrink at once."""
    if seconds <= 0:
        return min(MAX_STRIP_ROWS, rows * 2)
    fitted = int(rows * STRIP_SECONDS / seconds)
    return max(MIN_STRIP_ROWS, min(MAX_STRIP_ROWS, rows * 2, fitted))


def pages_to_print(printer: QPrinter, page_count: int, current: int) -> list[int]:
    """0-based pages the printer's settings ask for: the current page, the page ranges typed
    in the dialog (Qt 6 keeps "1-3, 7" as several ranges), or every page."""
    if printer.printRange() == QPrinter.PrintRange.CurrentPage:
        return [min(max(current, 0), page_count - 1)] if page_count else []
    ranges = printer.pageRanges()
    if ranges.isEmpty():
        return list(range(page_count))
    pages: list[int] = []
    for r in ranges.toRangeList():
        for number in range(max(r.from_, 1), min(r.to, page_count) + 1):
            if number - 1 not in pages:
                pages.append(number - 1)
    return pages


def fit(image_width: int, image_height: int, area: QRectF) -> QRectF:
    """The largest box of the image's proportions in `area`, at its top-left (as paper feeds)."""
    scale = min(area.width() / image_width, area.height() / image_height)
    w, h = math.floor(image_width * scale), math.floor(image_height * scale)
    return QRectF(area.x(), area.y(), w, h)


class PrintState(enum.Enum):
    """Where a print run stands."""

    READY = "ready"
    PRINTING = "printing"
    DONE = "done"
    CANCELLED = "cancelled"
    FAILED = "failed"


class PrintJob(QObject):
    """One print run of `pages` of `doc` on `printer`.

    `start()` opens the printer and queues renders; pages are printed in order as their
    renders arrive. Signals: `progress(printed, total)`, then exactly one of
    `finished(printed)`, `cancelled(printed)` or `failed(translated message)`.
    """

    progress = Signal(int, int)
    finished = Signal(int)
    cancelled = Signal(int)
    failed = Signal(str)

    def __init__(
        self,
        pool: RenderPool,
        doc: Document,
        printer: QPrinter,
        pages: Sequence[int],
        overlays: Sequence[PrintOverlay] = (),
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._pool = pool
        self._doc = doc
        self._printer = printer
        self._pages = list(pages)
        self._overlays = list(overlays)
        self._painter = QPainter()
        self._owner = f"print-{id(self)}"
        self._printed = 0
        self._registered = False
        self._drawing = False
        self._cancelling = False
        self._page_image: QImage | None = None  # the page being painted, strip by strip
        self._row = 0
        self._strip_rows = STRIP_ROWS
        self._target = QRectF()
        # Renders of this run, held here: the pixel cache may evict (and recycle) an image
        # before its turn comes. A QImage copy shares the pixels until the cache reuses them.
        self._images: dict[PageKey, QImage] = {}
        self.state = PrintState.READY
        dpi = min(printer.resolution(), MAX_PRINT_DPI)
        self._zoom_milli = round(dpi / 72 * 1000)
        # one page per event-loop turn, so input and repaints run between pages
        self._next = QTimer(self)
        self._next.setSingleShot(True)
        self._next.setInterval(0)
        self._next.timeout.connect(self._print_ready_page)

    @property
    def total(self) -> int:
        """Pages this run prints."""
        return len(self._pages)

    @property
    def printed(self) -> int:
        """Pages drawn on the printer so far."""
        return self._printed

    def is_running(self) -> bool:
        """True between `start` and the end of the run."""
        return self.state is PrintState.PRINTING

    def start(self) -> bool:
        """Open the printer and queue the first renders; False (and `failed`) if the printer
        cannot be opened or there is nothing to print."""
        if not self._pages:
            self._fail(QCoreApplication.translate("viewer", "There are no pages to print."))
            return False
        if not self._painter.begin(self._printer):
            self._fail(QCoreApplication.translate("viewer", "The printer could not be started."))
            return False
        self.state = PrintState.PRINTING
        self._pool.register(self._doc.source)  # kept open for us even if the view lets go
        self._registered = True
        self._pool.pageReady.connect(self._on_page_ready)
        self._pool.pageFailed.connect(self._on_page_failed)
        self._request()
        self._next.start()  # the first page may be in the cache already
        return True

    def cancel(self) -> None:
        """Stop after the page being drawn: queued renders are dropped, a real printer
        discards the job (`QPrinter.abort`), a PDF keeps the pages printed so far."""
        if self.state is not PrintState.PRINTING:
            return
        if self._page_image is not None:
            self._cancelling = True  # after this page's last strip: no half page on paper
            return
        self._cancel_now()

    def _cancel_now(self) -> None:
        if not self._printer.abort():
            log.info("printer cannot abort; ending the job after %d pages", self._printed)
        self._stop(PrintState.CANCELLED)
        self.cancelled.emit(self._printed)

    # -- internals -------------------------------------------------------------------------

    def _key(self, index: int) -> PageKey:
        return PageKey(self._doc.doc_id, self._pages[index], self._zoom_milli, 0)

    def _request(self) -> None:
        end = min(self._printed + 1 + AHEAD, len(self._pages))
        keys = [(self._key(i), PRIORITY) for i in range(self._printed, end)]
        self._pool.request(keys, owner=self._owner)

    def _on_page_ready(self, page: RenderedPage) -> None:
        if not self.is_running():
            return
        window = {self._key(i) for i in range(self._printed, len(self._pages))[: AHEAD + 1]}
        if page.key in window:
            self._images[page.key] = QImage(page.image)
            if page.key == self._key(self._printed):
                self._next.start()

    def _on_page_failed(self, key: PageKey, reason: str) -> None:
        if not self.is_running() or key != self._key(self._printed):
            return
        log.warning("print: page %d failed to render: %s", key.page, reason)
        if not self._printer.abort():
            log.info("printer cannot abort after a failed page")
        self._fail(
            QCoreApplication.translate(
                "viewer", "Page {page} could not be prepared for printing; printing stopped."
            ).format(page=key.page + 1)
        )

    def _print_ready_page(self) -> None:
        """Draw the next page if its render is in the cache (else wait for `pageReady`)."""
        if not self.is_running() or self._drawing:
            return
        self._drawing = True  # a slot of `progress` may run processEvents(): no re-entry
        try:
            self._print_next()
        finally:
            self._drawing = False

    def _print_next(self) -> None:
        if self._page_image is None and not self._begin_page():
            return
        if not self._draw_strip():
            self._next.start()
            return
        self._page_image = None
        self._printed += 1
        self.progress.emit(self._printed, len(self._pages))
        if self._cancelling:
            self._cancel_now()
        if not self.is_running():  # cancelled, also from a progress slot
            return
        if self._printed == len(self._pages):
            self._stop(PrintState.DONE)
            self.finished.emit(self._printed)
            return
        self._request()
        self._next.start()

    def _begin_page(self) -> bool:
        """Take the next page's render (False while it is not there) and start its sheet."""
        key = self._key(self._printed)
        image = self._images.pop(key, None)
        if image is None:
            rendered = self._pool.cache.get(key)  # rendered before this run began
            if rendered is None:
                self._request()  # queued again if it was evicted meanwhile
                return False
            image = rendered.image
        if self._printed and not self._printer.newPage():
            self._fail(
                QCoreApplication.translate(
                    "viewer", "The printer stopped after {done} of {total} pages."
                ).format(done=self._printed, total=len(self._pages))
            )
            return False
        self._page_image, self._row = image, 0
        self._target = fit(image.width(), image.height(), QRectF(self._painter.viewport()))
        return True

    def _draw_strip(self) -> bool:
        """Paint the next strip of rows (sized by `next_strip_rows`); True once the page (with
        its overlays) is complete."""
        image = self._page_image
        assert image is not None
        rows = min(self._strip_rows, image.height() - self._row)
        scale = self._target.height() / image.height()
        top = self._target.y() + self._row * scale
        dest = QRectF(self._target.x(), top, self._target.width(), rows * scale)
        started = time.perf_counter()
        self._painter.drawImage(dest, image.copy(0, self._row, image.width(), rows))
        if rows == self._strip_rows:  # (a page's short last strip says little)
            self._strip_rows = next_strip_rows(rows, time.perf_counter() - started)
        self._row += rows
        if self._row < image.height():
            return False
        self._paint_overlays(self._pages[self._printed], self._target)
        return True

    def _paint_overlays(self, page: int, target: QRectF) -> None:
        painter = self._painter
        for overlay in self._overlays:
            painter.save()
            try:
                overlay(painter, page, target)
            except Exception:  # an overlay's bug must not lose the print run
                log.exception("print overlay %r failed on page %d", overlay, page)
            painter.restore()

    def _fail(self, message: str) -> None:
        self._stop(PrintState.FAILED)
        self.failed.emit(message)

    def _stop(self, state: PrintState) -> None:
        self.state = state
        self._next.stop()
        self._images.clear()
        self._page_image = None
        if self._registered:
            self._pool.pageReady.disconnect(self._on_page_ready)
            self._pool.pageFailed.disconnect(self._on_page_failed)
            self._pool.request([], owner=self._owner)  # drop renders still queued
            self._pool.unregister(self._doc.doc_id)
            self._registered = False
        if self._painter.isActive():
            self._painter.end()
