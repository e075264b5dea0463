"""The thumbnails sidebar: its scroll bar paints only when its handle moves, and the list still
scrolls to the page it follows."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from viewer.document import Document
from viewer.render.cache import RenderedPage
from viewer.render.pool import RenderPool
from viewer.view.page_view import FrameScrollBar
from viewer.view.thumbnails import ThumbnailView


def test_the_sidebar_follows_the_page_with_a_frame_scroll_bar(
    qtbot: QtBot, pool: RenderPool, text_pdf: Path
) -> None:
    thumbs = ThumbnailView(pool)
    thumbs.resize(160, 400)
    qtbot.addWidget(thumbs)
    thumbs.show()
    doc = Document.open_path(str(text_pdf))
    thumbs.thumbnail_model.set_document(doc)
    try:
        bar = thumbs.verticalScrollBar()
        assert isinstance(bar, FrameScrollBar)
        start = bar.handle_rect()
        thumbs.show_page(25)
        # The list scrolled (the item view still follows its replaced bar) to show the page...
        assert bar.value() > 0
        row = thumbs.visualRect(thumbs.thumbnail_model.index(25))
        assert thumbs.viewport().rect().contains(row)
        # ...and the bar ends painted where its handle is.
        qtbot.waitUntil(lambda: bar.painted_handle() == bar.handle_rect(), timeout=5_000)
        assert bar.painted_handle().top() > start.top()
        thumbs.show_page(0)
        qtbot.waitUntil(lambda: bar.value() == 0, timeout=2_000)
        assert thumbs.viewport().rect().contains(thumbs.visualRect(thumbs.thumbnail_model.index(0)))
    finally:
        thumbs.thumbnail_model.set_document(None)
        doc.close()


def test_thumbnails_scrolled_past_before_their_turn_are_not_rendered(
    qtbot: QtBot, pool: RenderPool, text_pdf: Path
) -> None:
    """A fling through the document used to queue the thumbnail of every row it showed, and
    the workers then rendered nearly one thumbnail per page while the reader waited."""
    thumbs = ThumbnailView(pool)
    thumbs.resize(160, 1500)
    qtbot.addWidget(thumbs)
    thumbs.show()
    doc = Document.open_path(str(text_pdf))
    model = thumbs.thumbnail_model
    rendered: set[int] = set()

    def on_ready(page: RenderedPage) -> None:
        if page.key == model.key(page.key.page):
            rendered.add(page.key.page)

    pool.pageReady.connect(on_ready)
    pool.debug_sleep.update({i: 0.4 for i in range(10)})  # the first rows render slowly
    try:
        model.set_document(doc)
        qtbot.waitUntil(lambda: bool(thumbs.visualRect(model.index(0)).isValid()), timeout=5_000)
        first = _on_screen(thumbs)
        assert len(first) >= 8
        qtbot.wait(50)  # the rows on screen are asked for
        thumbs.show_page(29)
        qtbot.waitUntil(
            lambda: not thumbs.visualRect(model.index(0)).intersects(thumbs.viewport().rect()),
            timeout=5_000,
        )
        last = _on_screen(thumbs)
        assert not set(first) & set(last)
        qtbot.waitUntil(lambda: set(last) <= rendered, timeout=30_000)
        # Only what the workers had in hand (two each) when the list moved on was rendered.
        assert len(rendered & set(first)) <= 4
    finally:
        pool.debug_sleep.clear()
        pool.pageReady.disconnect(on_ready)
        model.set_document(None)
        doc.close()


def _on_screen(thumbs: ThumbnailView) -> list[int]:
    model = thumbs.thumbnail_model
    area = thumbs.viewport().rect()
    return [
        r for r in range(model.rowCount()) if thumbs.visualRect(model.index(r)).intersects(area)
    ]
