"""The page view's render scheduling: render-ahead in the scroll direction, and a fast flick."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from pathlib import Path

import pymupdf
import pytest
from PySide6.QtCore import QEvent, QObject, QRect, Qt, QTimer
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from tests.viewer.conftest import make_blank_pdf, same_pixels, wait_painted
from viewer.document import Document
from viewer.render.cache import PageKey
from viewer.render.pool import RenderPool
from viewer.view.layout import POINTS_TO_PIXELS, ZoomMode
from viewer.view.page_view import FrameScrollBar, PageView
from viewer.view.state import ViewState


@pytest.fixture
def view(qtbot: QtBot, pool: RenderPool, text_pdf: Path) -> Iterator[PageView]:
    """A 600 x 400 view of the 30-page text PDF at 100 % (a page is taller than the view)."""
    widget = PageView(pool)
    widget.resize(600, 400)
    qtbot.addWidget(widget)
    widget.show()
    widget.set_document(Document.open_path(str(text_pdf)))
    widget.set_zoom(1.0)
    yield widget
    doc = widget.document()
    widget.set_document(None)
    if doc is not None:
        doc.close()


def _key(view: PageView, page: int) -> PageKey:
    doc = view.document()
    assert doc is not None
    scale = view.zoom() * POINTS_TO_PIXELS * view.devicePixelRatioF()
    return PageKey(doc.doc_id, page, round(scale * 1000))


def _scroll_to(view: PageView, page: int) -> None:
    box = view.page_layout().boxes[page]
    assert box is not None
    view.verticalScrollBar().setValue(box.y)


def test_pages_ahead_in_the_scroll_direction_are_rendered_before_they_show(
    qtbot: QtBot, view: PageView, pool: RenderPool, text_pdf: Path
) -> None:
    _scroll_to(view, 4)
    _scroll_to(view, 5)  # downwards: the next pages come next
    assert view.visible_pages() == [5]
    ahead = [_key(view, p) for p in range(6, 10)]
    qtbot.waitUntil(lambda: all(pool.cache.get(k) for k in ahead), timeout=10_000)
    rendered = pool.cache.get(ahead[2])
    assert rendered is not None
    assert same_pixels(rendered.image, text_pdf, 8, rendered.key.zoom)

    _scroll_to(view, 25)
    _scroll_to(view, 20)  # upwards: the pages above come next
    above = [_key(view, p) for p in range(16, 20)]
    qtbot.waitUntil(lambda: all(pool.cache.get(k) for k in above), timeout=10_000)


def test_after_a_fast_flick_the_page_where_it_stops_is_painted(
    qtbot: QtBot, view: PageView, pool: RenderPool
) -> None:
    """Scrolling far faster than renders arrive asks for pages ahead of the viewport; once the
    scroll stops, the page on screen is rendered and painted all the same."""
    painted: list[int] = []
    view.pagePainted.connect(painted.append)
    for page in range(1, 12):  # eleven pages within microseconds: a flick
        _scroll_to(view, page)
    assert view.visible_pages() == [11]
    qtbot.waitUntil(lambda: 11 in painted, timeout=10_000)
    assert pool.cache.get(_key(view, 11)) is not None


def test_thumbnails_follow_a_fast_page_change_and_end_on_the_last_page(
    qtbot: QtBot, pool: RenderPool, text_pdf: Path
) -> None:
    """The sidebar follows at most every FOLLOW_MS while pages change fast, and always ends
    on the page the reader stopped at."""
    from viewer.view.thumbnails import ThumbnailView

    thumbs = ThumbnailView(pool)
    qtbot.addWidget(thumbs)
    doc = Document.open_path(str(text_pdf))
    thumbs.thumbnail_model.set_document(doc)
    try:
        thumbs.show_page(2)
        assert thumbs.currentIndex().row() == 2  # the first change shows at once
        for page in range(3, 20):
            thumbs.show_page(page)
        assert thumbs.currentIndex().row() == 2  # the rest waits for the next follow
        qtbot.waitUntil(lambda: thumbs.currentIndex().row() == 19, timeout=2_000)
    finally:
        thumbs.thumbnail_model.set_document(None)
        doc.close()


def _count_paints(qtbot: QtBot, widget: QWidget) -> list[int]:
    """A list that grows by one for every paint event `widget` gets."""
    painted: list[int] = []

    class Counter(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if watched is widget and event.type() == QEvent.Type.Paint:
                painted.append(1)
            return False

    counter = Counter(widget)
    widget.installEventFilter(counter)
    return painted


def test_the_scroll_bar_repaints_only_when_its_handle_moves_and_ends_where_the_view_is(
    qtbot: QtBot, view: PageView
) -> None:
    bar = view.verticalScrollBar()
    assert isinstance(bar, FrameScrollBar)
    qtbot.waitUntil(lambda: bar.handle_rect() == bar.painted_handle(), timeout=5_000)
    start = bar.handle_rect()
    step = 0
    while bar.handle_rect() == start:  # the smallest scroll that moves the handle a pixel
        bar.setValue(bar.value() + 1)
        step += 1
    assert step > 2  # (30 pages: the handle moves a pixel every few scroll pixels)
    moved = bar.handle_rect()
    qtbot.waitUntil(lambda: bar.painted_handle() == moved, timeout=5_000)
    painted = _count_paints(qtbot, bar)
    for _ in range((step - 1) // 2):  # scrolls that leave the handle where it is
        bar.setValue(bar.value() + 1)
    assert bar.handle_rect() == moved
    qtbot.wait(50)
    assert painted == []
    # Many moves within one frame: the bar catches up and shows the last position.
    for page in (3, 9, 14, 22):
        _scroll_to(view, page)
    qtbot.waitUntil(lambda: bar.painted_handle() == bar.handle_rect(), timeout=5_000)
    assert painted
    assert bar.painted_handle().top() > start.top()


def test_a_document_shown_again_is_rendered_again(
    qtbot: QtBot, view: PageView, pool: RenderPool
) -> None:
    """Set away and back (its cached pages dropped meanwhile): the view asks again."""
    doc = view.document()
    assert doc is not None
    wait_painted(qtbot, view, 0)
    view.set_document(None)
    assert pool.cache.get(_key_for(doc.doc_id, view.zoom(), view, 0)) is None
    view.set_document(doc)
    view.set_zoom(1.0)
    wait_painted(qtbot, view, 0)


def _key_for(doc_id: int, zoom: float, view: PageView, page: int) -> PageKey:
    scale = zoom * POINTS_TO_PIXELS * view.devicePixelRatioF()
    return PageKey(doc_id, page, round(scale * 1000))


def test_the_background_fills_the_gaps_and_pages_keep_their_pixels(
    qtbot: QtBot, view: PageView, text_pdf: Path
) -> None:
    """Only the gaps get the background: a page's render and a page still rendering (white
    paper) are not painted over, and the gap between two pages is the background."""
    bar = view.verticalScrollBar()
    first, second = view.page_layout().boxes[0], view.page_layout().boxes[1]
    assert first is not None
    assert second is not None
    bar.setValue(second.y - 150)  # the end of page 0, the gap, the top of page 1
    assert view.visible_pages() == [0, 1]
    wait_painted(qtbot, view, 1)
    shot = view.viewport().grab().toImage()
    sx, sy = view.horizontalScrollBar().value(), bar.value()
    gap_y = first.y + first.h - sy + (second.y - first.y - first.h) // 2
    assert shot.pixelColor(first.x - sx + first.w // 2, gap_y) == view.background
    paper = shot.pixelColor(5, second.y - sy + 2)  # the top margin of page 1
    assert paper.lightness() > 240
    rendered = view._pool.cache.get(_key(view, 1))
    assert rendered is not None
    assert same_pixels(rendered.image, text_pdf, 1, rendered.key.zoom)


def test_an_arriving_page_repaints_only_its_rect_and_a_thumbnail_of_it_nothing(
    qtbot: QtBot, view: PageView, pool: RenderPool
) -> None:
    rects: list[QRect] = []

    class Recorder(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                assert isinstance(event, QPaintEvent)
                rects.append(event.rect())
            return False

    recorder = Recorder(view)
    view.viewport().installEventFilter(recorder)
    painted: list[int] = []
    view.pagePainted.connect(painted.append)
    bar = view.verticalScrollBar()
    second = view.page_layout().boxes[1]
    assert second is not None
    pool.debug_sleep[1] = 0.3  # page 1 arrives after everything else has been painted
    try:
        bar.setValue(second.y - 150)
        assert view.visible_pages() == [0, 1]
        qtbot.waitUntil(lambda: 0 in painted, timeout=10_000)
        qtbot.waitUntil(lambda: 1 in painted, timeout=10_000)
    finally:
        del pool.debug_sleep[1]
    sx, sy = view.horizontalScrollBar().value(), bar.value()
    page_rect = QRect(second.x - sx, second.y - sy, second.w, second.h)
    assert page_rect.intersected(view.viewport().rect()) in rects  # a page's own repaint
    rects.clear()
    doc = view.document()
    assert doc is not None
    thumb = PageKey(doc.doc_id, 1, 150)
    pool.request([(thumb, 20)])
    qtbot.waitUntil(lambda: pool.cache.get(thumb) is not None, timeout=10_000)
    qtbot.wait(50)
    assert rects == []  # the page shows at its own zoom: its thumbnail changes nothing


def test_a_narrow_page_before_a_wide_one_stays_in_view(
    qtbot: QtBot, pool: RenderPool, tmp_path: Path
) -> None:
    """Page sizes are read after the first page's is assumed for all: a much wider second page
    widens the content, and every row is centred in it. The narrow first page was laid out
    far right of the view's left edge, off-screen; it stays in view, and going to the wide
    page brings that one into view too."""
    src = pymupdf.open()
    src.new_page(width=300, height=400).insert_text((40, 80), "hẹp", fontsize=20)
    src.new_page(width=2400, height=400).insert_text((40, 80), "rộng", fontsize=20)
    path = tmp_path / "widths.pdf"
    src.save(path)
    widget = PageView(pool)
    widget.resize(600, 400)
    qtbot.addWidget(widget)
    widget.show()
    doc = Document.open_path(str(path))
    try:
        widget.set_document(doc, state=ViewState(zoom_mode=ZoomMode.CUSTOM.value, zoom=1.0))
        qtbot.waitUntil(lambda: doc.sizes_complete, timeout=5_000)
        assert widget.page_layout().width > 2000  # the wide page is known now

        def in_view(page: int) -> bool:
            box = widget.page_layout().boxes[page]
            assert box is not None
            left = widget.horizontalScrollBar().value()
            return box.x < left + widget.viewport().width() and box.x + box.w > left

        first = widget.page_layout().boxes[0]
        assert first is not None
        left = widget.horizontalScrollBar().value()
        assert left <= first.x
        assert first.x + first.w <= left + widget.viewport().width()
        widget.go_to_page(1)
        assert in_view(1)
        widget.go_to_page(0)
        assert in_view(0)
        wait_painted(qtbot, widget, 0)
    finally:
        widget.set_document(None)
        doc.close()


def test_laying_out_a_long_document_keeps_the_window_responsive(
    qtbot: QtBot, pool: RenderPool, tmp_path: Path
) -> None:
    """20,000 pages of two sizes: laying them all out at open, and again after each slice of
    page sizes read, kept the GUI thread busy 0.3-1 s at a time; now a 10 ms timer keeps
    ticking. Measured in the GUI thread's CPU time between ticks, not wall time: on a loaded
    machine the OS alone stops a process for 100 ms and more. The bound is ten times what
    the layout takes here, not a goal."""
    sizes = [(595, 842) if i % 7 else (842, 595) for i in range(20_000)]
    path = tmp_path / "long.pdf"
    path.write_bytes(make_blank_pdf(sizes))
    doc = Document.open_path(str(path))  # MuPDF's own page-tree load is not measured here
    widget = PageView(pool)
    widget.resize(600, 400)
    qtbot.addWidget(widget)
    widget.show()
    ticks: list[float] = []  # the GUI thread's CPU seconds at each tick
    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.thread_time()))
    timer.start()
    try:
        qtbot.waitUntil(lambda: len(ticks) > 2)
        widget.set_document(doc)
        qtbot.waitUntil(lambda: doc.sizes_complete, timeout=60_000)
        count = len(ticks)
        qtbot.waitUntil(lambda: len(ticks) > count)  # the tick after the last slice
        busy = max(b - a for a, b in itertools.pairwise(ticks))
        assert busy < 0.1, f"{busy * 1000:.0f} ms of work between two ticks"
        assert widget.page_layout().boxes[7] is not None
        assert widget.page_layout().boxes[7].w > widget.page_layout().boxes[6].w  # read sizes
    finally:
        timer.stop()
        widget.set_document(None)
        doc.close()
