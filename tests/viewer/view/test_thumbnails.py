"""The thumbnails sidebar: its scroll bar paints only when its handle moves, and the list still
scrolls to the page it follows."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from viewer.document import Document
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
