"""The page view: paints the visible pages from the render cache, never rendering itself.

Scrolling only paints cached images (or a scaled stand-in / placeholder) and queues renders for the
visible pages, so the GUI thread stays free however slow a page is. Overlays (annotations, notes,
signatures, watermark) draw through `add_overlay` with a page -> widget transform.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, QPoint, QPointF, QRect, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QImage,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QRegion,
    QResizeEvent,
    QTransform,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSlider,
    QScrollBar,
    QStyle,
    QStyleOptionSlider,
    QWidget,
)

from viewer.document import Document
from viewer.render.cache import PageKey, RenderedPage
from viewer.render.pool import RenderPool
from viewer.render.scheduling import BACKGROUND
from viewer.view.layout import (
    PAGE_GAP,
    POINTS_TO_PIXELS,
    Box,
    Layout,
    LayoutMode,
    ZoomMode,
    clamp_zoom,
    compute_layout,
    fit_zoom,
    rotated,
)
from viewer.view.state import ViewState

log = logging.getLogger(__name__)

PageRect = tuple[float, float, float, float]
# Render-ahead in the scroll direction: up to this share of the pixel cache, this many pages.
PREFETCH_CACHE_SHARE = 0.25
PREFETCH_PAGES = 12
# A page asked for now is painted about this much later (queue, render, reply, paint): while
# scrolling fast, the pages to render are where the viewport will be by then, not where it is.
RENDER_LEAD_SECONDS = 0.03
SETTLE_MS = 60  # no scroll for this long: the scroll stopped (render what is visible)
FRAME_SECONDS = 1 / 60  # the scroll bar repaints at most this often (one display frame)
FRAME_MS = 16
RELAYOUT_SECONDS = 0.1  # page sizes read in the background reach the layout this often
ZOOM_STEPS = (0.25, 0.33, 0.5, 0.67, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0)


@dataclass(frozen=True, slots=True)
class PageOverlay:
    """What an overlay painter gets for one visible page.

    `transform` maps page points to viewport pixels. Page points are PyMuPDF's page coordinates
    of the *unrotated* page (origin at the top-left of the CropBox, y down), the space of
    `search_for`, `get_text("words")`, `get_textbox` and annotation rects; the transform adds
    the page's own /Rotate, the zoom and the view rotation. `rect` is the page's box in
    viewport pixels; `rotation` the view rotation.
    """

    page: int
    transform: QTransform
    rect: QRect
    zoom: float
    rotation: int


OverlayPainter = Callable[[QPainter, PageOverlay], None]


@dataclass(frozen=True, slots=True)
class TextSelection:
    """The user's text selection: its page, the dragged area (page points) and its text."""

    page: int
    rect: PageRect
    text: str


@dataclass(slots=True)
class _Highlights:
    """Search hits to draw: all of them faintly, the current one strongly."""

    by_page: dict[int, list[PageRect]] = field(default_factory=dict)
    current: tuple[int, tuple[PageRect, ...]] | None = None


class Throttle(QObject):
    """Calls `action(value)` at once, then at most every `interval_ms` with the latest value,
    and always ends on the last one: for views that follow something changing hundreds of
    times a second (the current page while scrolling) and cost a repaint per change."""

    def __init__(
        self, interval_ms: int, action: Callable[[int], None], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._action = action
        self._pending: int | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._flush)

    def __call__(self, value: int) -> None:
        """Pass `value` on now, or when the interval since the last one has passed."""
        if self._timer.isActive():
            self._pending = value
            return
        self._action(value)
        self._timer.start()

    def _flush(self) -> None:
        if self._pending is not None:
            value, self._pending = self._pending, None
            self._action(value)
            self._timer.start()


class FrameScrollBar(QScrollBar):
    """The page view's vertical scroll bar: repaints only when its handle moves by a pixel,
    and at most once per display frame (a pending move is painted at the frame's end).

    Fusion paints the 14 x 850 bar (with its parents beneath) in 0.6-1.2 ms, 3-5 times the page
    view itself, and a scroll bar repaints on every value change: while scrolling it was the
    biggest part of a frame, though over 500 pages its handle moves a pixel every ~650."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self._painted = QRect()  # the handle as last painted
        self._painted_at = 0.0
        self._later = QTimer(self)
        self._later.setSingleShot(True)
        self._later.timeout.connect(self._catch_up)

    def handle_rect(self) -> QRect:
        """Where the style puts the handle for the current value."""
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        return self.style().subControlRect(
            QStyle.ComplexControl.CC_ScrollBar, option, QStyle.SubControl.SC_ScrollBarSlider, self
        )

    def painted_handle(self) -> QRect:
        """Where the handle was when the bar was last painted."""
        return QRect(self._painted)

    def sliderChange(self, change: QAbstractSlider.SliderChange) -> None:
        """Qt calls this on every value change; it only repaints (range and step changes
        are rare and go through as before)."""
        if change != QAbstractSlider.SliderChange.SliderValueChange:
            super().sliderChange(change)
            return
        if self.handle_rect() == self._painted:
            return
        wait = self._painted_at + FRAME_SECONDS - time.perf_counter()
        if wait <= 0:
            super().sliderChange(change)
        elif not self._later.isActive():
            self._later.start(max(1, round(wait * 1000)))

    def _catch_up(self) -> None:
        if self.handle_rect() != self._painted:
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        """Remember what the handle looks like on screen now."""
        self._painted = self.handle_rect()
        self._painted_at = time.perf_counter()
        super().paintEvent(event)


class PageView(QAbstractScrollArea):
    """Scrollable view of a document's pages.

    Drive it from outside with `go_to_page`, `set_zoom`, `set_zoom_mode`, `set_layout_mode`,
    `set_rotation`; follow it with `currentPageChanged`, `zoomChanged`, `viewChanged`.
    """

    currentPageChanged = Signal(int)
    zoomChanged = Signal(float)
    viewChanged = Signal()  # layout, rotation or zoom mode changed (save state, update toolbar)
    historyChanged = Signal()
    pagePainted = Signal(int)  # a page was painted from a real render (not a placeholder)
    selectionChanged = Signal(str)

    def __init__(self, pool: RenderPool | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pool = pool or RenderPool.shared()
        self._pool.pageReady.connect(self._on_page_ready)
        self._pool.pageFailed.connect(self._on_page_failed)
        self._doc: Document | None = None
        self._owner = f"view-{id(self)}"
        self._layout = Layout((), 0, 0, ())
        self._visible: tuple[Layout, tuple[int, int], list[int]] = (self._layout, (0, 0), [])
        self._zoom = 1.0
        self._zoom_mode = ZoomMode.FIT_WIDTH
        self._mode = LayoutMode.CONTINUOUS
        self._rotation = 0
        self._current = 0
        self._back: list[int] = []
        self._forward: list[int] = []
        self._errors: dict[int, str] = {}
        self._scroll_y = 0
        self._direction = 1  # +1 scrolling down (or not yet), -1 up: where to render ahead
        self._velocity = 0.0  # pixels per second, smoothed
        self._scrolled_at = 0.0
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self._on_settled)
        self._overlays: list[OverlayPainter] = []
        self._highlights = _Highlights()
        self._select_from: tuple[int, QPointF] | None = None
        self._selection: tuple[int, PageRect] | None = None
        self._selected_text = ""
        self.background = QColor(0x80, 0x80, 0x80)
        self._size_timer = QTimer(self)
        self._size_timer.setInterval(1)
        self._size_timer.timeout.connect(self._load_more_sizes)
        self._sizes_changed = False  # sizes read differ from the layout's estimate
        self._sizes_taken = True  # the layout has taken every size the document will have
        self._sized_at = 0.0  # when the layout last took read sizes in
        self._requested: tuple[object, ...] | None = None  # what _request_visible asked last
        self.setVerticalScrollBar(FrameScrollBar(self))
        self.viewport().setMouseTracking(False)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.verticalScrollBar().valueChanged.connect(self._on_scrolled)
        self.horizontalScrollBar().valueChanged.connect(lambda _v: self._request_visible())

    # -- document --------------------------------------------------------------------------

    def document(self) -> Document | None:
        """The document shown, if any."""
        return self._doc

    def set_document(
        self, doc: Document | None, page: int = 0, state: ViewState | None = None
    ) -> None:
        """Show `doc` (None clears the view) at `page`, or as `state` remembers it. One layout
        pass, and the first page's render is queued before anything else happens."""
        if state is not None:
            self._rotation = state.rotation % 360 // 90 * 90
            self._mode = LayoutMode(state.layout)
            self._zoom_mode = ZoomMode(state.zoom_mode)
            self._zoom = clamp_zoom(state.zoom)
            page = state.page
        if self._doc is not None:
            self._pool.unregister(self._doc.doc_id)
        self._doc = doc
        self._requested = None
        self._errors.clear()
        self._back.clear()
        self._forward.clear()
        self._highlights = _Highlights()
        self._selection = None
        self._selected_text = ""
        self._current = 0
        self._sizes_changed = False
        self._sizes_taken = doc is None
        if doc is not None:
            self._pool.register(doc.source)
            self._current = min(max(page, 0), doc.page_count - 1)
        self._relayout(page_top=True)
        self.historyChanged.emit()
        if state is not None:
            self.viewChanged.emit()
            self.zoomChanged.emit(self._zoom)
        self.currentPageChanged.emit(self._current)

    def _load_more_sizes(self) -> None:
        """Read page sizes a slice at a time; relayout only if they differ from the estimate."""
        doc = self._doc
        if doc is None or doc.closed:
            self._size_timer.stop()
            return
        self._sizes_changed = doc.load_sizes() or self._sizes_changed
        now = time.perf_counter()
        # A layout of every page per slice added up to seconds on a 20,000-page file: the
        # sizes read are taken in every RELAYOUT_SECONDS, and at the end.
        if self._sizes_changed and (doc.sizes_complete or now - self._sized_at > RELAYOUT_SECONDS):
            self._sizes_changed, self._sized_at = False, now
            self._relayout(keep_page=True)
        if doc.sizes_complete:
            self._sizes_taken = True
            self._size_timer.stop()

    # -- state -----------------------------------------------------------------------------

    def current_page(self) -> int:
        """Index of the page at the top of the view (0-based)."""
        return self._current

    def page_count(self) -> int:
        """Pages in the document (0 without one)."""
        return self._doc.page_count if self._doc else 0

    def zoom(self) -> float:
        """Current zoom, 1.0 = 100 % (96 dpi)."""
        return self._zoom

    def zoom_mode(self) -> ZoomMode:
        """Custom, fit width or fit page."""
        return self._zoom_mode

    def layout_mode(self) -> LayoutMode:
        """Single page, continuous or two-page."""
        return self._mode

    def rotation(self) -> int:
        """Extra view rotation in degrees (0, 90, 180, 270)."""
        return self._rotation

    def page_layout(self) -> Layout:
        """The current page layout (content coordinates)."""
        return self._layout

    # -- driving ---------------------------------------------------------------------------

    def set_zoom(self, zoom: float) -> None:
        """A custom zoom (clamped to 25-400 %), keeping the view centred on the same place."""
        self._zoom_mode = ZoomMode.CUSTOM
        self._apply_zoom(clamp_zoom(zoom))
        self.viewChanged.emit()

    def zoom_in(self) -> None:
        """Next zoom step up."""
        self.set_zoom(next((z for z in ZOOM_STEPS if z > self._zoom + 1e-3), ZOOM_STEPS[-1]))

    def zoom_out(self) -> None:
        """Next zoom step down."""
        smaller = [z for z in ZOOM_STEPS if z < self._zoom - 1e-3]
        self.set_zoom(smaller[-1] if smaller else ZOOM_STEPS[0])

    def set_zoom_mode(self, mode: ZoomMode) -> None:
        """Fit width / fit page follow the window size; custom keeps the zoom."""
        self._zoom_mode = mode
        self._relayout(keep_page=True)
        self.viewChanged.emit()

    def set_layout_mode(self, mode: LayoutMode) -> None:
        """Single page, continuous or two-page."""
        self._mode = mode
        self._relayout(keep_page=True)
        self.viewChanged.emit()

    def set_rotation(self, degrees: int) -> None:
        """Rotate every page by 0/90/180/270 degrees."""
        self._rotation = degrees % 360 // 90 * 90
        self._relayout(keep_page=True)
        self.viewChanged.emit()

    def rotate(self, clockwise: bool = True) -> None:
        """Rotate by a quarter turn."""
        self.set_rotation(self._rotation + (90 if clockwise else -90))

    def go_to_page(self, index: int, record: bool = True) -> None:
        """Show page `index` at the top; `record` puts the jump into back/forward history."""
        if self._doc is None:
            return
        index = min(max(index, 0), self._doc.page_count - 1)
        if record and index != self._current:
            self._back.append(self._current)
            self._forward.clear()
            self.historyChanged.emit()
        self._set_current(index)
        if self._mode is LayoutMode.SINGLE or self._zoom_mode is ZoomMode.FIT_PAGE:
            self._relayout(keep_page=True)
        else:
            self._scroll_to_page(index)

    def next_page(self) -> None:
        """One page (or one spread) on."""
        self.go_to_page(self._current + (2 if self._mode is LayoutMode.TWO_PAGE else 1), False)

    def previous_page(self) -> None:
        """One page (or one spread) back."""
        self.go_to_page(self._current - (2 if self._mode is LayoutMode.TWO_PAGE else 1), False)

    def can_go_back(self) -> bool:
        """History has an earlier page."""
        return bool(self._back)

    def can_go_forward(self) -> bool:
        """History has a later page."""
        return bool(self._forward)

    def back(self) -> None:
        """Return to the page before the last jump."""
        if self._back:
            self._forward.append(self._current)
            self.go_to_page(self._back.pop(), record=False)
            self.historyChanged.emit()

    def forward(self) -> None:
        """Redo a jump undone with `back`."""
        if self._forward:
            self._back.append(self._current)
            self.go_to_page(self._forward.pop(), record=False)
            self.historyChanged.emit()

    def show_area(self, page: int, rect: PageRect) -> None:
        """Scroll so that `rect` (page points) of `page` is visible, e.g. a search hit."""
        if self._doc is None:
            return
        if self._mode is LayoutMode.SINGLE and page != self._current:
            self.go_to_page(page, record=False)
        t = self.page_transform(page)
        if t is None:
            self._scroll_to_page(page)
            t = self.page_transform(page)
            if t is None:
                return
        area = t.mapRect(QRectF(rect[0], rect[1], rect[2] - rect[0], rect[3] - rect[1]))
        vp = self.viewport().rect()
        if not vp.contains(area.toAlignedRect()):
            v, h = self.verticalScrollBar(), self.horizontalScrollBar()
            v.setValue(v.value() + int(area.center().y() - vp.height() / 2))
            if area.width() < vp.width():
                h.setValue(h.value() + int(area.center().x() - vp.width() / 2))

    # -- overlays and coordinates ----------------------------------------------------------

    def add_overlay(self, painter: OverlayPainter) -> None:
        """Call `painter(QPainter, PageOverlay)` for every visible page after the page image."""
        self._overlays.append(painter)
        self.viewport().update()

    def remove_overlay(self, painter: OverlayPainter) -> None:
        """Stop calling an overlay painter."""
        if painter in self._overlays:
            self._overlays.remove(painter)
            self.viewport().update()

    def overlays(self) -> list[OverlayPainter]:
        """The overlay painters, in painting order (a presentation window shows them too)."""
        return list(self._overlays)

    def update_overlays(self) -> None:
        """Repaint (an overlay's content changed)."""
        self.viewport().update()

    def page_transform(self, index: int) -> QTransform | None:
        """Page points (unrotated page, see `PageOverlay`) -> viewport pixels for a laid-out
        page (None when not shown)."""
        if self._doc is None or not 0 <= index < len(self._layout.boxes):
            return None
        box = self._layout.boxes[index]
        if box is None:
            return None
        w, h, turn = self._unrotated_page(index)
        scale = self._zoom * POINTS_TO_PIXELS
        # The render shows the page turned by its /Rotate, then by the view rotation, each time
        # moved back to the origin (MuPDF's pixmap bbox): one turn by the sum, then one move.
        t = QTransform().scale(scale, scale).rotate(turn)
        bounds = t.mapRect(QRectF(0, 0, w, h))
        dx = box.x - self.horizontalScrollBar().value() - bounds.x()
        dy = box.y - self.verticalScrollBar().value() - bounds.y()
        return t * QTransform.fromTranslate(dx, dy)

    def _unrotated_page(self, index: int) -> tuple[float, float, int]:
        """Width and height of the unrotated page and the total turn (page + view) in degrees."""
        assert self._doc is not None
        own = self._doc.page_rotation(index)
        w, h = rotated(self._doc.page_size(index), own)
        return w, h, (own + self._rotation) % 360

    def map_to_page(self, point: QPoint | QPointF) -> tuple[int, QPointF] | None:
        """(page, point in page points) under a viewport point, or None between pages."""
        p = QPointF(point)
        for index in self.visible_pages():
            t = self.page_transform(index)
            if t is None:
                continue
            inverse, ok = t.inverted()
            if not ok:
                continue
            q = inverse.map(p)
            w, h, _turn = self._unrotated_page(index)
            if 0 <= q.x() <= w and 0 <= q.y() <= h:
                return index, q
        return None

    def visible_pages(self) -> list[int]:
        """Pages intersecting the viewport, top to bottom. Kept for the layout and rows last
        asked: a scroll step asks four or five times (scroll, requests, paint)."""
        top = self.verticalScrollBar().value()
        bottom = top + self.viewport().height()
        layout, rows, pages = self._visible
        if layout is not self._layout or rows != (top, bottom):
            pages = self._layout.pages_in(top, bottom)
            self._visible = (self._layout, (top, bottom), pages)
        return list(pages)

    # -- search highlights and selection ---------------------------------------------------

    def set_highlights(self, by_page: dict[int, list[PageRect]]) -> None:
        """All search hits (page -> rects), drawn faintly."""
        self._highlights.by_page = by_page
        self.viewport().update()

    def set_current_highlight(self, page: int, rects: tuple[PageRect, ...]) -> None:
        """The selected search hit: drawn strongly and scrolled into view."""
        self._highlights.current = (page, rects)
        if rects:
            self.show_area(page, rects[0])
        self.viewport().update()

    def selected_text(self) -> str:
        """Text under the current selection."""
        return self._selected_text

    def selection(self) -> TextSelection | None:
        """The finished selection with its page (a host quotes it, or makes a note of it);
        None when nothing is selected."""
        if self._selection is None or not self._selected_text:
            return None
        page, rect = self._selection
        return TextSelection(page, rect, self._selected_text)

    def select_area(self, page: int, rect: PageRect) -> str:
        """Select the text of `page` inside `rect` (page points); returns it."""
        self._selection = (page, rect)
        self._selected_text = self._doc.text_in(page, rect) if self._doc else ""
        self.viewport().update()
        self.selectionChanged.emit(self._selected_text)
        return self._selected_text

    def copy_selection(self) -> None:
        """Put the selected text on the clipboard."""
        if self._selected_text:
            QGuiApplication.clipboard().setText(self._selected_text)

    # -- layout ----------------------------------------------------------------------------

    def _sizes(self) -> list[tuple[float, float]]:
        doc = self._doc
        if doc is None:
            return []
        sizes = doc.page_sizes()
        return [(h, w) for w, h in sizes] if self._rotation % 180 else sizes

    def _relayout(self, keep_page: bool = False, page_top: bool = False) -> None:
        """Lay the pages out again; keep the reading position (`keep_page`) or put the current
        page at the top (`page_top`)."""
        sizes = self._sizes()
        vp = self.viewport()
        offset = self._offset_in_current_page() if keep_page else 0.0 if page_top else None
        h = self.horizontalScrollBar()
        old = self._layout.boxes[self._current] if self._current < len(self._layout.boxes) else None
        # Where the current page sits across the view: kept when the layout changes under it
        # (page sizes read after the estimate made the content wider, and each row stays
        # centred in it), so a narrow page before a wide one does not slide out of view.
        across = h.value() - old.x if keep_page and old is not None else None
        fitted = fit_zoom(
            sizes, self._mode, self._zoom_mode, (vp.width(), vp.height()), self._current
        )
        if fitted is not None and abs(fitted - self._zoom) > 1e-4:
            self._zoom = fitted
            self.zoomChanged.emit(self._zoom)
        self._layout = compute_layout(
            sizes, self._zoom * POINTS_TO_PIXELS, self._mode, vp.width(), self._current
        )
        v = self.verticalScrollBar()
        v.blockSignals(True)
        h.setRange(0, max(0, self._layout.width - vp.width()))
        h.setPageStep(vp.width())
        v.setRange(0, max(0, self._layout.height - vp.height()))
        v.setPageStep(vp.height())
        v.setSingleStep(40)
        h.setSingleStep(40)
        v.blockSignals(False)
        box = self._layout.boxes[self._current] if self._layout.boxes else None
        if box is not None and across is not None:
            h.setValue(box.x + across)
        elif box is not None and page_top:
            self._centre_across(box)
        if offset is not None:
            self._scroll_to_page(self._current, offset, request=False)
        self._request_visible()
        vp.update()

    def _offset_in_current_page(self) -> float:
        """How far down the current page the view top is, as a fraction of its height."""
        boxes = self._layout.boxes
        if not 0 <= self._current < len(boxes) or boxes[self._current] is None:
            return 0.0
        box = boxes[self._current]
        assert box is not None
        return max(0.0, (self.verticalScrollBar().value() - box.y) / box.h)

    def _centre_across(self, box: Box) -> None:
        """Scroll across so the page is centred in the view (its left edge, if it is wider)."""
        width = self.viewport().width()
        fits = box.w + 2 * PAGE_GAP <= width
        self.horizontalScrollBar().setValue(
            box.x + (box.w - width) // 2 if fits else box.x - PAGE_GAP
        )

    def _scroll_to_page(self, index: int, fraction: float = 0.0, request: bool = True) -> None:
        box = self._layout.boxes[index] if index < len(self._layout.boxes) else None
        if box is None:
            return
        left = self.horizontalScrollBar().value()
        if box.x + box.w <= left or box.x >= left + self.viewport().width():
            self._centre_across(box)  # a page of another width, out of view across
        top = box.y - PAGE_GAP if fraction == 0.0 else box.y + int(fraction * box.h)
        v = self.verticalScrollBar()
        v.blockSignals(True)
        v.setValue(top)
        v.blockSignals(False)
        if request:
            self._request_visible()
        self.viewport().update()

    def _apply_zoom(self, zoom: float, anchor: QPoint | None = None) -> None:
        """Change zoom keeping the page point under `anchor` (default: view centre) in place."""
        vp = self.viewport().rect()
        anchor = anchor or vp.center()
        hit = self.map_to_page(anchor)
        self._zoom = zoom
        self._relayout(keep_page=hit is None)
        if hit is not None:
            t = self.page_transform(hit[0])
            if t is not None:
                moved = t.map(hit[1])
                self.horizontalScrollBar().setValue(
                    self.horizontalScrollBar().value() + int(moved.x() - anchor.x())
                )
                self.verticalScrollBar().setValue(
                    self.verticalScrollBar().value() + int(moved.y() - anchor.y())
                )
        self.zoomChanged.emit(self._zoom)

    def _set_current(self, index: int) -> None:
        if index != self._current:
            self._current = index
            self.currentPageChanged.emit(index)

    def _on_scrolled(self, value: int) -> None:
        if value != self._scroll_y:
            now = time.perf_counter()
            elapsed = now - self._scrolled_at
            speed = (value - self._scroll_y) / elapsed if elapsed > 0 else 0.0
            fresh = elapsed < SETTLE_MS / 1000
            self._velocity = 0.7 * self._velocity + 0.3 * speed if fresh else 0.0
            self._scrolled_at = now
            self._direction = 1 if value > self._scroll_y else -1
            self._scroll_y = value
            self._settle.start()
        if self._mode is not LayoutMode.SINGLE:
            probe = self.verticalScrollBar().value() + self.viewport().height() // 3
            pages = self._layout.pages_in(probe, probe + PAGE_GAP + 1) or self.visible_pages()
            if pages:
                self._set_current(pages[0])
        self._request_visible()
        self.viewport().update()

    # -- rendering -------------------------------------------------------------------------

    def _key(self, index: int) -> PageKey:
        assert self._doc is not None
        dpr = self.devicePixelRatioF()
        scale = self._zoom * POINTS_TO_PIXELS * dpr
        return PageKey(self._doc.doc_id, index, round(scale * 1000), self._rotation)

    def _on_settled(self) -> None:
        """The scroll stopped: what is on screen now comes first."""
        self._velocity = 0.0
        self._request_visible()

    def _request_visible(self) -> None:
        """Queue the current page first, the other visible pages next, then render ahead in
        the scroll direction (so a page scrolled to is already in the cache), then one page
        behind. Nothing is sent when that is what was asked last: most scroll steps move
        less than a page (the pool's queue does not change, asking again cost ~0.1 ms).

        Only priority 0 may run beside nothing else on a machine without a spare core (see
        RenderPool._dispatch): the page the reader looks at gets a whole core."""
        if self._doc is None:
            return
        visible = self.visible_pages()
        if not visible:
            return
        current = self._current if self._current in visible else visible[0]
        wanted = [(i, 0 if i == current else 1) for i in visible]
        lead = int(self._velocity * RENDER_LEAD_SECONDS)
        if abs(lead) > self.viewport().height() // 2:
            # Scrolling faster than a render arrives: pages on screen now are gone by then;
            # render the ones the viewport reaches when their images are ready.
            top = self.verticalScrollBar().value() + lead
            visible = self._layout.pages_in(top, top + self.viewport().height()) or visible
            wanted = [(i, 1) for i in visible]
        forward = self._direction > 0
        edge = visible[-1] if forward else visible[0]
        box = self._layout.boxes[edge]
        assert box is not None
        dpr = self.devicePixelRatioF()
        page_bytes = max(1.0, box.w * box.h * 4 * dpr * dpr)
        budget = int(self._pool.cache.max_bytes * PREFETCH_CACHE_SHARE / page_bytes)
        steps = max(2, min(PREFETCH_PAGES, budget))
        ahead = [edge + (n if forward else -n) for n in range(1, steps + 1)]
        ahead.append(visible[0] - 1 if forward else visible[-1] + 1)
        count = self._doc.page_count
        for step, i in enumerate(ahead):
            if 0 <= i < count and self._layout.boxes[i] is not None:
                wanted.append((i, BACKGROUND + step))
        asked = (self._key(current), *wanted)
        if asked == self._requested:
            return
        self._requested = asked
        self._pool.request([(self._key(i), p) for i, p in wanted], owner=self._owner)

    def _ask_again(self) -> None:
        """Request the visible pages even if they are what was asked last (a render failed
        and the source changed, or the document was replaced)."""
        self._requested = None
        self._request_visible()

    def _on_page_ready(self, page: RenderedPage) -> None:
        if self._doc is None or page.key.doc_id != self._doc.doc_id:
            return
        index = page.key.page
        self._errors.pop(index, None)
        if index not in self.visible_pages():
            return
        key = self._key(index)
        if page.key != key and self._pool.cache.get(key) is not None:
            return  # another zoom (a thumbnail) of a page already shown at its own
        # Only the page's own rect: the rest of the viewport is as painted.
        box = self._layout.boxes[index]
        assert box is not None
        sx, sy = self.horizontalScrollBar().value(), self.verticalScrollBar().value()
        self.viewport().update(QRect(box.x - sx, box.y - sy, box.w, box.h))

    def _on_page_failed(self, key: PageKey, reason: str) -> None:
        doc = self._doc
        if doc is None or key.doc_id != doc.doc_id:
            return
        if "FileNotFoundError" in reason and doc.source.path is not None:
            source = doc.detach_from_file()  # deleted while open: go on from memory
            if source is not None:
                self._pool.replace_source(source)
                self._ask_again()
                return
        self._errors[key.page] = reason
        self.viewport().update()

    # -- painting --------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        """Paint visible pages from the cache; placeholders where a render is pending. The
        background goes only into the gaps between pages (filling under them too cost a
        second fill of the whole viewport)."""
        painter = QPainter(self.viewport())
        gaps = QRegion(event.rect())
        if self._doc is None:
            painter.fillRect(event.rect(), self.background)
            painter.end()
            return
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        sx, sy = self.horizontalScrollBar().value(), self.verticalScrollBar().value()
        dpr = self.devicePixelRatioF()
        painted: list[int] = []
        shown: list[int] = []
        for index in self.visible_pages():
            box = self._layout.boxes[index]
            assert box is not None
            target = QRect(box.x - sx, box.y - sy, box.w, box.h)
            key = self._key(index)
            rendered = self._pool.cache.get(key)
            if rendered is not None:
                covered = _draw_page_image(painter, target, rendered.image, dpr)
                painted.append(index)
            else:
                covered = target
                painter.fillRect(target, Qt.GlobalColor.white)
                stand_in = self._pool.cache.closest(key)
                if stand_in is not None:
                    _draw_page_image(painter, target, stand_in.image, dpr)
                elif index in self._errors:
                    painter.setPen(QColor(0x90, 0x10, 0x10))
                    painter.drawText(
                        target,
                        Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                        self.tr("This page could not be displayed."),
                    )
            gaps -= covered
            shown.append(index)
        painter.setClipRegion(gaps)
        painter.fillRect(event.rect(), self.background)
        painter.setClipping(False)
        for index in shown:  # after the background: an overlay may reach beyond its page
            self._paint_marks(painter, index)
        painter.end()
        if painted and not self._sizes_taken and not self._size_timer.isActive():
            # Take the page sizes only once the first page is up: before, the slices would
            # delay that first paint. Not "until the document has them all": the worker may
            # have sent every size before this first paint, and the layout still needs them.
            self._size_timer.start()
        for index in painted:
            self.pagePainted.emit(index)

    def _paint_marks(self, painter: QPainter, index: int) -> None:
        """Search hits, the selection, then the overlays registered by other components."""
        t = self.page_transform(index)
        if t is None:
            return
        painter.save()
        painter.setTransform(t)
        painter.setPen(Qt.PenStyle.NoPen)
        for rect in self._highlights.by_page.get(index, ()):
            painter.fillRect(_qrect(rect), QColor(255, 220, 0, 90))
        current = self._highlights.current
        if current is not None and current[0] == index:
            for rect in current[1]:
                painter.fillRect(_qrect(rect), QColor(255, 120, 0, 140))
        if self._selection is not None and self._selection[0] == index:
            painter.fillRect(_qrect(self._selection[1]), QColor(40, 110, 220, 70))
        painter.restore()
        if self._overlays:
            box = self._layout.boxes[index]
            assert box is not None
            sx, sy = self.horizontalScrollBar().value(), self.verticalScrollBar().value()
            info = PageOverlay(
                index, t, QRect(box.x - sx, box.y - sy, box.w, box.h), self._zoom, self._rotation
            )
            for overlay in list(self._overlays):
                painter.save()
                try:
                    overlay(painter, info)
                except Exception:  # an overlay's bug must not break the page view
                    log.exception("overlay %r failed on page %d", overlay, index)
                painter.restore()

    # -- events ----------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Fit modes follow the window."""
        super().resizeEvent(event)
        self._relayout(keep_page=True)

    def wheelEvent(self, event: QWheelEvent) -> None:
        """Ctrl+wheel zooms around the cursor; in single-page mode the wheel turns pages."""
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120.0
            if steps:
                self._zoom_mode = ZoomMode.CUSTOM
                self._apply_zoom(clamp_zoom(self._zoom * 1.1**steps), event.position().toPoint())
                self.viewChanged.emit()
            event.accept()
            return
        v = self.verticalScrollBar()
        if self._mode is LayoutMode.SINGLE:
            dy = event.angleDelta().y()
            if dy < 0 and v.value() >= v.maximum():
                self.next_page()
                event.accept()
                return
            if dy > 0 and v.value() <= v.minimum() and self._current > 0:
                self.previous_page()
                v.setValue(v.maximum())
                event.accept()
                return
        super().wheelEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Page keys, Home/End, and Ctrl+C for the selection."""
        key = event.key()
        v = self.verticalScrollBar()
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
        elif key == Qt.Key.Key_Home and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.go_to_page(0)
        elif key == Qt.Key.Key_End and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.go_to_page(self.page_count() - 1)
        elif self._mode is LayoutMode.SINGLE and key in (Qt.Key.Key_PageDown, Qt.Key.Key_Right):
            self.next_page()
        elif self._mode is LayoutMode.SINGLE and key in (Qt.Key.Key_PageUp, Qt.Key.Key_Left):
            self.previous_page()
        elif key == Qt.Key.Key_PageDown:
            v.setValue(v.value() + v.pageStep())
        elif key == Qt.Key.Key_PageUp:
            v.setValue(v.value() - v.pageStep())
        elif key == Qt.Key.Key_Down:
            v.setValue(v.value() + v.singleStep())
        elif key == Qt.Key.Key_Up:
            v.setValue(v.value() - v.singleStep())
        else:
            super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """Start a text selection (the previous one is gone)."""
        if event.button() == Qt.MouseButton.LeftButton:
            self._select_from = self.map_to_page(event.position())
            self._selection = None
            if self._selected_text:
                self._selected_text = ""
                self.selectionChanged.emit("")
            self.viewport().update()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        """Grow the selection rectangle (text is read on release)."""
        start = self._select_from
        t = self.page_transform(start[0]) if start else None
        if start is not None and t is not None:
            inverse, _ok = t.inverted()
            p = inverse.map(event.position())
            a = start[1]
            self._selection = (
                start[0],
                (min(a.x(), p.x()), min(a.y(), p.y()), max(a.x(), p.x()), max(a.y(), p.y())),
            )
            self.viewport().update()
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        """Finish the selection and read its text."""
        if self._select_from is not None and self._selection is not None:
            self.select_area(*self._selection)
        self._select_from = None
        super().mouseReleaseEvent(event)


def _draw_page_image(painter: QPainter, target: QRect, image: QImage, dpr: float) -> QRect:
    """Draw unscaled when the render matches the box to a pixel or two (MuPDF rounds its pixmap
    outwards): a smooth scaled draw of a full page costs ~5 ms, an unscaled one ~0.3 ms.
    Returns the part of `target` the image covers."""
    w, h = image.width() / dpr, image.height() / dpr
    if abs(w - target.width()) <= 2 and abs(h - target.height()) <= 2:
        image.setDevicePixelRatio(dpr)
        painter.drawImage(target.topLeft(), image)
        return target.intersected(QRect(target.topLeft(), QSize(int(w), int(h))))
    painter.drawImage(QRectF(target), image)
    return target


def _qrect(rect: PageRect) -> QRectF:
    return QRectF(rect[0], rect[1], rect[2] - rect[0], rect[3] - rect[1])
